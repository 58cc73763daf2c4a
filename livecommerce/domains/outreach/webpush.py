"""Web Push (RFC 8030): the buyers' browser subscriptions and the channel that sends to them.

A subscription is an endpoint URL at the browser's push service plus the browser's P-256 key and
auth secret. The payload is encrypted to them (RFC 8291, aes128gcm) and the request is signed
with the site's VAPID key (RFC 8292, outreach/vapid.py); pywebpush does both. Its HTTP call is
blocking (requests), so it runs in a thread. A 404 or 410 from the push service means the
subscription is gone for good (the user revoked it, the browser dropped it): its row is deleted.

Endpoints are URLs the server will POST to, so they are checked like any outbound URL: https
only in production, and never to a loopback or private address there; dev and test also take
http://127.0.0.1 (the tests' local push service).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

import requests
import structlog
from asyncpg import Connection, Record
from cryptography.hazmat.primitives.asymmetric import ec
from pywebpush import WebPushException, webpush

from livecommerce.domains.outreach import vapid
from livecommerce.domains.outreach.channel_schemas import (
    PUSH_SUBSCRIPTIONS_PER_USER,
    PushSubscriptionIn,
    PushSubscriptionList,
    PushSubscriptionOut,
)
from livecommerce.domains.outreach.channels import Outgoing, SendResult
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

log = structlog.get_logger("outreach.webpush")

# pg_advisory_xact_lock(PUSH_LOCK, user id): one change of a user's subscriptions at a time, so
# the count checked is the count written.
PUSH_LOCK = 0x0B5_0001
# What a push service keeps an undelivered message for: a reminder of a live room or a coupon
# is worth little the next day, and a late one is worse than none.
DEFAULT_TTL_SECONDS = 12 * 3600
# The encrypted record must fit 4096 bytes (RFC 8291 §4); keep the JSON well under it.
TITLE_MAX, BODY_MAX = 120, 600
_LOCAL_DEV_HOSTS = frozenset({"127.0.0.1"})
_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def _invalid(detail: str) -> DomainError:
    return DomainError(ErrorCode.PUSH_SUBSCRIPTION_INVALID, detail=detail)


def check_endpoint(endpoint: str, env: str) -> str:
    """The endpoint if the server may POST to it, else 422 push_subscription_invalid."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise _invalid("the endpoint is not a URL") from None
    if parts.username or parts.password or parts.fragment or not host:
        raise _invalid("the endpoint must be a plain https URL")
    if parts.scheme == "http" and env in ("dev", "test") and host in _LOCAL_DEV_HOSTS:
        return endpoint
    if parts.scheme != "https":
        raise _invalid("the endpoint must be https")
    if env == "prod" and not _public_host(host):
        raise _invalid("the endpoint must be a push service on the internet")
    return endpoint


def _public_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name: push services are names; resolving here would race anyway
    return address.is_global


def check_keys(p256dh: str, auth: str) -> None:
    """The browser's key must be a point on P-256 and its auth secret 16 bytes (RFC 8291 §3)."""
    if not (_B64URL.fullmatch(p256dh) and _B64URL.fullmatch(auth)):
        raise _invalid("keys.p256dh and keys.auth are base64url")
    try:
        point = vapid.b64url_decode(p256dh)
        secret = vapid.b64url_decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise _invalid("keys.p256dh is not a P-256 public key") from None
    if len(point) != 65 or len(secret) != 16:
        raise _invalid("keys.p256dh must be 65 bytes and keys.auth 16")


def _service(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def _out(row: Record) -> PushSubscriptionOut:
    return PushSubscriptionOut(
        id=row["id"],
        service=_service(row["endpoint"]),
        user_agent=row["user_agent"],
        created_at=row["created_at"],
    )


async def subscribe(
    user_id: int, data: PushSubscriptionIn, *, env: str, user_agent: str = ""
) -> PushSubscriptionOut:
    """Keep this browser's subscription for `user_id`. The same endpoint again (new keys, another
    login in the same browser) updates its row; past PUSH_SUBSCRIPTIONS_PER_USER the user's
    oldest subscriptions make room (browsers drop them silently, so old ones are the dead ones)."""
    endpoint = check_endpoint(data.endpoint, env)
    check_keys(data.keys.p256dh, data.keys.auth)
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", PUSH_LOCK, user_id)
        row = await conn.fetchrow(
            "INSERT INTO outreach_push_subscriptions (user_id, endpoint, p256dh, auth, user_agent)"
            " VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (endpoint) DO UPDATE SET user_id = EXCLUDED.user_id,"
            " p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, user_agent = EXCLUDED.user_agent"
            " RETURNING *",
            user_id,
            endpoint,
            data.keys.p256dh.rstrip("="),
            data.keys.auth.rstrip("="),
            user_agent[:200],
        )
        await conn.execute(
            "DELETE FROM outreach_push_subscriptions WHERE user_id = $1 AND id NOT IN"
            " (SELECT id FROM outreach_push_subscriptions WHERE user_id = $1"
            "  ORDER BY (id = $2) DESC, created_at DESC, id DESC LIMIT $3)",
            user_id,
            row["id"],
            PUSH_SUBSCRIPTIONS_PER_USER,
        )
    return _out(row)


async def unsubscribe(user_id: int, endpoint: str) -> None:
    """Forget this browser's subscription; 404 if it is not one of the user's."""
    async with db.connection() as conn:
        done = await conn.fetchval(
            "DELETE FROM outreach_push_subscriptions WHERE user_id = $1 AND endpoint = $2"
            " RETURNING id",
            user_id,
            endpoint,
        )
    if done is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail="no such push subscription")


async def my_subscriptions(user_id: int) -> PushSubscriptionList:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM outreach_push_subscriptions WHERE user_id = $1 ORDER BY id DESC",
            user_id,
        )
    return PushSubscriptionList(items=[_out(row) for row in rows])


def vapid_subject(settings: Settings) -> str:
    """Who the push services may write to about our traffic (RFC 8292 §2.1): the sender address
    of our mail, else the site."""
    address = parseaddr(settings.smtp_from)[1]
    if "@" in address:
        return f"mailto:{address}"
    if settings.public_url.startswith("https://"):
        return settings.public_url
    return "mailto:noreply@localhost"


def payload(delivery: Outgoing) -> str:
    """What the service worker (static/sw.js) shows: the notification and where a tap leads."""
    return json.dumps(
        {
            "title": delivery.title[:TITLE_MAX],
            "body": delivery.body[:BODY_MAX],
            "url": delivery.url,
            "unsubscribeUrl": delivery.unsubscribe_url,
            "tag": f"lc-{delivery.delivery_id}",
            "lang": delivery.lang,
        },
        ensure_ascii=False,
    )


@dataclass(frozen=True, slots=True)
class _Attempt:
    subscription_id: int
    status: int | None  # the push service's answer; None: it could not be reached
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        return self.status in (404, 410)


def _post(
    sub: Record, data: str, keys: vapid.VapidKeys, subject: str, ttl: int, timeout: float
) -> _Attempt:
    """One blocking push (in a thread). No redirects: the endpoint was checked, where it might
    send us was not."""
    info: dict[str, Any] = {
        "endpoint": sub["endpoint"],
        "keys": {"p256dh": sub["p256dh"], "auth": sub["auth"]},
    }
    session = requests.Session()
    session.max_redirects = 0
    try:
        response = webpush(
            info,
            data=data,
            vapid_private_key=keys.signer(),
            vapid_claims={"sub": subject},  # aud (the endpoint's origin) and exp are added
            ttl=ttl,
            timeout=timeout,
            headers={"Urgency": "normal"},
            requests_session=session,
        )
        status = getattr(response, "status_code", 201)
        return _Attempt(sub["id"], status)
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        return _Attempt(sub["id"], status, f"push service answered {status}")
    except requests.RequestException as exc:
        return _Attempt(sub["id"], None, f"push service unreachable: {type(exc).__name__}")
    finally:
        session.close()


class WebPushChannel:
    """Sends to every browser the user subscribed (newest first); delivered when one push
    service took it."""

    name = "webpush"

    def __init__(
        self, settings: Settings, *, ttl: int = DEFAULT_TTL_SECONDS, timeout: float = 10.0
    ) -> None:
        self.subject = vapid_subject(settings)
        self.ttl = ttl
        self.timeout = timeout

    async def send(self, delivery: Outgoing) -> SendResult:
        async with db.connection() as conn:
            keys = await vapid.load(conn)
            subs = await conn.fetch(
                "SELECT id, endpoint, p256dh, auth FROM outreach_push_subscriptions"
                " WHERE user_id = $1 ORDER BY id DESC",
                delivery.user_id,
            )
        if not subs:
            return SendResult(delivered=False, error="no push subscription")
        data = payload(delivery)
        attempts = await asyncio.gather(
            *(
                asyncio.to_thread(_post, sub, data, keys, self.subject, self.ttl, self.timeout)
                for sub in subs
            )
        )
        async with db.connection() as conn:
            await _record(conn, attempts)
        if any(a.ok for a in attempts):
            return SendResult(delivered=True)
        errors = sorted({a.error for a in attempts if a.error})
        return SendResult(delivered=False, error="; ".join(errors)[:300] or "not delivered")


async def _record(conn: Connection, attempts: list[_Attempt]) -> None:
    gone = [a.subscription_id for a in attempts if a.gone]
    ok = [a.subscription_id for a in attempts if a.ok]
    if gone:
        await conn.execute(
            "DELETE FROM outreach_push_subscriptions WHERE id = ANY($1::int[])", gone
        )
        log.info("push_subscriptions_gone", count=len(gone))
    if ok:
        await conn.execute(
            "UPDATE outreach_push_subscriptions SET last_sent_at = now() WHERE id = ANY($1::int[])",
            ok,
        )
