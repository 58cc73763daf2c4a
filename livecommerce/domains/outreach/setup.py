"""Start-up of outreach, from the settings: the restraint rules, the link signing key and the
channels of this process. Called by the web app and the worker (`configure(settings)`).

The inbox is always registered; the sandbox when OUTREACH_SANDBOX is on (unset: dev and test).
Other channels register themselves here from their own modules when their settings are present.
"""

from __future__ import annotations

from livecommerce.domains.outreach import channel_settings, config, links
from livecommerce.domains.outreach.channels import REGISTRY, SandboxChannel
from livecommerce.settings import Settings


def configure(settings: Settings) -> None:
    sandbox = (
        settings.env in ("dev", "test")
        if settings.outreach_sandbox is None
        else settings.outreach_sandbox
    )
    config.use(
        config.OutreachConfig(
            cap_hours=settings.outreach_cap_hours,
            quiet_hours=settings.quiet_hours,
            host_daily_cap=settings.outreach_host_daily_cap,
            default_zone=settings.business_timezone,
            base_url=settings.base_url.rstrip("/"),
            sandbox=sandbox,
            secret_key=settings.secret_key,
        )
    )
    links.configure(settings.secret_key)
    if sandbox and REGISTRY.get("sandbox") is None:
        REGISTRY.register(SandboxChannel())
    elif not sandbox:
        REGISTRY.unregister("sandbox")
    # Web Push, e-mail (when SMTP_HOST is set), the hosts' IM bots and SMS gateways.
    channel_settings.register(settings, REGISTRY)
