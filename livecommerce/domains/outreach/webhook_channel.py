"""IM bots and SMS through apprise: the URLs a host saved (outreach/channel_settings.py).

'webhook' is a staff-facing notice: the message goes to every group bot the host configured
(WeCom `wecombot://KEY`, DingTalk `dingtalk://TOKEN/`, Feishu `feishu://TOKEN`, or a plain
`json://` / `form://` webhook). 'sms' goes to the buyer: their phone number (the default entry
of their address book) is put into the host's SMS gateway URL template at `{phone}`.

Apprise's own parser decides whether a URL is usable; on top of it only a short list of
services is taken (a host must not point the server at desktop, syslog or mail plugins), and in
production never a loopback or private address (the server would POST into its own network):
checked on the URL when it is saved, and again on what its name resolves to when a message goes
(a public-looking name may point inside; `refuse_private`). A name that changes its answer
between our lookup and apprise's own (DNS rebinding) is not caught here: an egress firewall is
the place for that. Apprise's plugins are blocking (requests): `async_notify` runs them off the
event loop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote, urlsplit

import apprise
import structlog

from livecommerce.domains.accounts import addresses
from livecommerce.domains.outreach import sealed_urls
from livecommerce.domains.outreach.channels import Outgoing, SendResult
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

log = structlog.get_logger("outreach.webhook")

# IM group bots and generic webhooks a host may name.
BOT_SCHEMES = frozenset(
    {"wecombot", "dingtalk", "feishu", "lark", "json", "jsons", "form", "forms", "xml", "xmls"}
)
# SMS gateways: a generic webhook template, or one of apprise's SMS services.
SMS_SCHEMES = frozenset(
    {
        "json",
        "jsons",
        "form",
        "forms",
        "xml",
        "xmls",
        "twilio",
        "vonage",
        "nexmo",
        "plivo",
        "sinch",
        "clicksend",
        "d7sms",
        "bulksms",
        "infobip",
        "httpsms",
        "smseagle",
        "smseagles",
    }
)
PHONE_SLOT = "{phone}"
# What validation puts at {phone}: a number of the shape buyers' numbers have.
SAMPLE_PHONE = "13800138000"
_PHONE = re.compile(r"^\+?[0-9]{5,15}$")
# Plain webhooks: the ones that POST wherever the URL says (the IM bots' schemes go to their
# vendors' fixed hosts).
GENERIC_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls"})
# The call as a whole (every bot of the host) gives up after this.
NOTIFY_TIMEOUT_SECONDS = 30


@cache
def _asset() -> apprise.AppriseAsset:
    # secure_logging: apprise's own log lines show URLs with their secrets masked.
    return apprise.AppriseAsset(app_id="LiveCommerce", app_desc="LiveCommerce", secure_logging=True)


def _invalid(detail: str) -> DomainError:
    return DomainError(ErrorCode.CHANNEL_URL_INVALID, detail=detail)


@dataclass(frozen=True, slots=True)
class CheckedUrl:
    url: str  # as the host gave it (holds secrets: stored sealed)
    service: str  # apprise's name for the service
    masked: str  # the scheme and host only, for answers


def check_url(url: str, kind: str, env: str) -> CheckedUrl:
    """A host's bot ('webhook') or SMS gateway template ('sms') URL, parsed by apprise; else 422
    channel_url_invalid."""
    url = url.strip()
    schemes = BOT_SCHEMES if kind == "webhook" else SMS_SCHEMES
    scheme = url.partition("://")[0].lower()
    if scheme not in schemes:
        raise _invalid(f"use one of: {', '.join(sorted(schemes))}")
    if kind == "sms":
        if url.count(PHONE_SLOT) != 1:
            raise _invalid("an SMS gateway URL has {phone} once, where the number goes")
        concrete = url.replace(PHONE_SLOT, SAMPLE_PHONE)
    else:
        if "{" in url or "}" in url:
            raise _invalid("a bot URL has no {…} slots")
        concrete = url
    if env == "prod" and scheme in GENERIC_SCHEMES:
        _refuse_private(concrete)
    plugin = apprise.Apprise.instantiate(concrete, asset=_asset())
    if plugin is None:
        raise _invalid("apprise can't use this URL (check the token and the format)")
    return CheckedUrl(url=url, service=str(plugin.service_name), masked=_mask(plugin))


def _refuse_private(url: str) -> None:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        raise _invalid("not a URL") from None
    if host == "localhost" or host.endswith(".localhost"):
        raise _invalid("a webhook must be on the internet")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not address.is_global:
        raise _invalid("a webhook must be on the internet")


def _mask(plugin: apprise.plugins.NotifyBase) -> str:
    """apprise's privacy form (passwords and tokens elided), cut to the scheme and host: paths
    and query strings may carry tokens apprise does not know are secret (headers, keys)."""
    private = str(plugin.url(privacy=True))
    scheme, _, rest = private.partition("://")
    head = rest.split("?", 1)[0]
    netloc, _, path = head.partition("/")
    return f"{scheme}://{netloc}" + ("/…" if path.strip("/") else "")


async def resolves_inside(url: str) -> bool:
    """Whether a plain webhook's host name resolves to any address that is not on the
    internet (loopback, private, link-local), or does not resolve at all."""
    if url.partition("://")[0].lower() not in GENERIC_SCHEMES:
        return False
    try:
        host = urlsplit(url).hostname or ""
        found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (ValueError, OSError):
        return True
    return not found or any(not ipaddress.ip_address(info[4][0]).is_global for info in found)


async def _public_only(urls: list[str]) -> list[str]:
    inside = await asyncio.gather(*(resolves_inside(url) for url in urls))
    kept = [url for url, refused in zip(urls, inside, strict=True) if not refused]
    if len(kept) < len(urls):
        log.warning("webhook_private_address_refused", refused=len(urls) - len(kept))
    return kept


async def _notify(urls: list[str], title: str, body: str) -> bool:
    notifier = apprise.Apprise(asset=_asset())
    for url in urls:
        notifier.add(url)
    if not len(notifier):
        return False
    result = await notifier.async_notify(
        body=body,
        title=title,
        body_format=apprise.NotifyFormat.TEXT,
        timeout=NOTIFY_TIMEOUT_SECONDS,
    )
    return bool(result)


async def host_urls(host_id: int, kind: str) -> list[str]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT url FROM outreach_host_channels WHERE host_id = $1 AND kind = $2 ORDER BY id",
            host_id,
            kind,
        )
    opened = (sealed_urls.unseal(row["url"]) for row in rows)
    return [url for url in opened if url is not None]


class WebhookChannel:
    """A notice to the host's group bots (their staff read it there). With `refuse_private`
    (production), a plain webhook whose name resolves inside is not called."""

    name = "webhook"

    def __init__(self, *, refuse_private: bool = False) -> None:
        self.refuse_private = refuse_private

    async def send(self, delivery: Outgoing) -> SendResult:
        if delivery.host_id is None:
            return SendResult(delivered=False, error="no host")
        urls = await host_urls(delivery.host_id, "webhook")
        if not urls:
            return SendResult(delivered=False, error="the host has no bots")
        if self.refuse_private:
            urls = await _public_only(urls)
            if not urls:
                return SendResult(delivered=False, error="every bot resolves to a private address")
        text = f"{delivery.body}\n{delivery.url}"
        if await _notify(urls, delivery.title, text):
            return SendResult(delivered=True)
        log.warning("webhook_failed", delivery_id=delivery.delivery_id, bots=len(urls))
        return SendResult(delivered=False, error="no bot took the message")


def phone_of(entries: list[str]) -> str:
    """The first entry that is a phone number, as digits (and a leading +)."""
    for raw in entries:
        phone = re.sub(r"[\s()-]", "", raw)
        if _PHONE.match(phone):
            return phone
    return ""


def gateway_url(template: str, phone: str) -> str:
    # Digits and '+' only (phone_of): quoted so '+' stays a plus in a query string.
    return template.replace(PHONE_SLOT, quote(phone, safe=""))


class SmsChannel:
    """A text to the buyer's phone through the host's SMS gateway; the unsubscribe link goes
    along like on every message."""

    name = "sms"

    def __init__(self, *, refuse_private: bool = False) -> None:
        self.refuse_private = refuse_private

    async def send(self, delivery: Outgoing) -> SendResult:
        if delivery.host_id is None:
            return SendResult(delivered=False, error="no host")
        templates = await host_urls(delivery.host_id, "sms")
        if not templates:
            return SendResult(delivered=False, error="the host has no SMS gateway")
        book = await addresses.book(delivery.user_id)
        phone = phone_of([entry.phone for entry in book.items])
        if not phone:
            return SendResult(delivered=False, error="no phone number")
        if self.refuse_private and await resolves_inside(templates[0]):
            log.warning("webhook_private_address_refused", refused=1)
            return SendResult(
                delivered=False, error="the SMS gateway resolves to a private address"
            )
        unsubscribe = "退订" if delivery.lang == "zh-CN" else "Unsubscribe"
        text = f"{delivery.body} {delivery.url} {unsubscribe}: {delivery.unsubscribe_url}"
        if await _notify([gateway_url(templates[0], phone)], delivery.title, text):
            return SendResult(delivered=True)
        log.warning("sms_failed", delivery_id=delivery.delivery_id)
        return SendResult(delivered=False, error="the SMS gateway did not take it")
