"""A host's outreach channels: its IM group bots and its SMS gateway (apprise URLs), read and
replaced at GET/PUT /api/host/outreach-channels; and which channels this process sends on.

The URLs hold secrets (bot tokens, gateway passwords): they are stored sealed
(outreach/sealed_urls.py) and never answered back; answers show apprise's service name and the
masked scheme and host. A client saves the set again by naming the ids it keeps (`keep`)
beside the new URLs it adds (`url`).
"""

from __future__ import annotations

import asyncio

from litestar import Controller, Request, get, put
from litestar.di import Provide

from livecommerce.domains.outreach import email_channel, sealed_urls, webhook_channel
from livecommerce.domains.outreach.channel_schemas import (
    ChannelSettingsIn,
    ChannelSettingsOut,
    ChannelUrlIn,
    ChannelUrlOut,
)
from livecommerce.domains.outreach.channels import REGISTRY, Registry
from livecommerce.domains.outreach.webpush import WebPushChannel
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, provide_actor, requires
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

# pg_advisory_xact_lock(CHANNELS_LOCK, host id): one replacement of a host's set at a time.
CHANNELS_LOCK = 0x0B5_0002


def register(settings: Settings, registry: Registry = REGISTRY) -> None:
    """The real channels of this process (outreach/setup.py calls it at start-up): Web Push
    always (the keys are made on first use), e-mail when SMTP_HOST is set, the hosts' bots and
    SMS gateways always (a host without them gets 'failed' deliveries, never an error)."""
    registry.register(WebPushChannel(settings))
    mail = email_channel.from_settings(settings)
    if mail is not None:
        registry.register(mail)
    else:
        registry.unregister("email")
    refuse_private = settings.env == "prod"
    registry.register(webhook_channel.WebhookChannel(refuse_private=refuse_private))
    registry.register(webhook_channel.SmsChannel(refuse_private=refuse_private))


def _out(row_id: int, label: str, stored: str, kind: str, env: str) -> ChannelUrlOut:
    url = sealed_urls.unseal(stored)
    if url is None:  # sealed under another SECRET_KEY: the host saves it again
        return ChannelUrlOut(id=row_id, label=label, service="?", url="(unreadable)")
    try:
        checked = webhook_channel.check_url(url, kind, env)
        service, masked = checked.service, checked.masked
    except DomainError:  # saved under an older apprise that read it differently
        service, masked = "?", url.partition("://")[0] + "://…"
    return ChannelUrlOut(id=row_id, label=label, service=service, url=masked)


async def get_settings(host_id: int, env: str) -> ChannelSettingsOut:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id, kind, label, url FROM outreach_host_channels WHERE host_id = $1"
            " ORDER BY id",
            host_id,
        )
    return await asyncio.to_thread(_settings_out, [dict(row) for row in rows], env)


def _settings_out(rows: list[dict], env: str) -> ChannelSettingsOut:
    outs = [(r["kind"], _out(r["id"], r["label"], r["url"], r["kind"], env)) for r in rows]
    sms = [o for kind, o in outs if kind == "sms"]
    return ChannelSettingsOut(
        bots=[o for kind, o in outs if kind == "webhook"], sms=sms[0] if sms else None
    )


def _checked_new(entry: ChannelUrlIn, kind: str, env: str) -> str | None:
    """The new URL of an entry (checked by apprise), or None when it keeps a saved one."""
    if (entry.url is None) == (entry.keep is None):
        raise DomainError(
            ErrorCode.CHANNEL_URL_INVALID, detail="give each entry either url or keep"
        )
    if entry.url is None:
        return None
    return webhook_channel.check_url(entry.url, kind, env).url


async def put_settings(host_id: int, data: ChannelSettingsIn, env: str) -> ChannelSettingsOut:
    """Replace the host's bots and SMS gateway (422 channel_url_invalid for a URL apprise can't
    use or a service not taken; 404 for a `keep` id that is not one of the host's)."""
    wanted = [("webhook", entry) for entry in data.bots]
    if data.sms is not None:
        wanted.append(("sms", data.sms))
    # apprise's first parse loads its plugins (about a second): not on the event loop.
    urls = await asyncio.to_thread(lambda: [_checked_new(e, kind, env) for kind, e in wanted])
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", CHANNELS_LOCK, host_id)
        saved = {
            row["id"]: row["kind"]
            for row in await conn.fetch(
                "SELECT id, kind FROM outreach_host_channels WHERE host_id = $1", host_id
            )
        }
        kept = [e.keep for (_, e), url in zip(wanted, urls, strict=True) if url is None]
        for (kind, entry), url in zip(wanted, urls, strict=True):
            if url is None and saved.get(entry.keep or 0) != kind:
                raise DomainError(ErrorCode.NOT_FOUND, detail=f"no saved {kind} {entry.keep}")
        if len(set(kept)) != len(kept):
            raise DomainError(ErrorCode.CHANNEL_URL_INVALID, detail="an id is kept twice")
        await conn.execute(
            "DELETE FROM outreach_host_channels WHERE host_id = $1 AND id <> ALL($2::int[])",
            host_id,
            kept,
        )
        for (kind, entry), url in zip(wanted, urls, strict=True):
            if url is None:
                await conn.execute(
                    "UPDATE outreach_host_channels SET label = $2 WHERE id = $1",
                    entry.keep,
                    entry.label,
                )
            else:
                await conn.execute(
                    "INSERT INTO outreach_host_channels (host_id, kind, label, url)"
                    " VALUES ($1, $2, $3, $4)",
                    host_id,
                    kind,
                    entry.label,
                    sealed_urls.seal(url),
                )
    return await get_settings(host_id, env)


def _env(request: Request) -> str:
    return str(request.app.state.settings.env)


class HostChannelsController(Controller):
    path = "/api/host/outreach-channels"
    tags = ["outreach"]
    guards = [requires("host")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("")
    async def read(self, request: Request, actor: Actor) -> ChannelSettingsOut:
        """My IM group bots and SMS gateway, masked."""
        return await get_settings(actor.id, _env(request))

    @put("")
    async def replace(
        self, request: Request, actor: Actor, data: ChannelSettingsIn
    ) -> ChannelSettingsOut:
        """Replace them: each entry a new apprise `url` (WeCom `wecombot://KEY`, DingTalk
        `dingtalk://TOKEN/`, Feishu `feishu://TOKEN`, `json://host/path`; the SMS gateway with
        `{phone}`) or `keep`, the id of one saved before (422 channel_url_invalid)."""
        return await put_settings(actor.id, data, _env(request))


CONTROLLERS = [HostChannelsController]
