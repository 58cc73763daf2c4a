"""Binding buyers to distributors, per the operator's mode, as an append-only history.

When a binding is made:
- a logged-in visitor of a share link is bound at the visit (`click`);
- an anonymous visitor gets a signed referral cookie (`lc_ref`: link code, click time) and is
  bound at the first request of theirs that carries it and knows who they are: registering
  (`register`), logging in (`login`), or, failing those, placing an order (`order`: the cookie
  travels with the place-order request, `referral_middleware` hands it to the placement hook,
  which binds before it snapshots the chain). In register_only mode that binding is made only
  for a buyer whose account was created after the click (`register`): they signed up through
  the link. A cookie whose signature is wrong, whose click is past the expiry, or whose click is
  older than the buyer's latest binding binds nothing.
The buyer's binding is the latest row; it counts while it has not expired.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import time
from datetime import timedelta
from typing import Any

from asyncpg import Connection, Record

from livecommerce.domains.distribution import rules
from livecommerce.domains.distribution.config import load as load_config
from livecommerce.domains.distribution.rules import DistributionConfig
from livecommerce.infra.db import Tx

COOKIE = "lc_ref"
BIND_LOCK = 0x7D15  # with the buyer id: one binding decision per buyer at a time

# The referral cookie of the request being served (set by `referral_middleware`).
REFERRAL: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "referral_cookie", default=None
)
_secret: bytes = b"unset"


def configure(secret_key: str) -> None:
    global _secret
    _secret = hashlib.sha256(b"referral-cookie:" + secret_key.encode()).digest()


def sign(code: str, clicked_at: int) -> str:
    body = f"{code}.{clicked_at}"
    return f"{body}.{hmac.new(_secret, body.encode(), hashlib.sha256).hexdigest()[:24]}"


def verify(cookie: str | None) -> tuple[str, int] | None:
    """(link code, click unix time) of a cookie we signed, else None."""
    if not cookie:
        return None
    parts = cookie.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    if not hmac.compare_digest(sign(parts[0], int(parts[1])), cookie):
        return None
    return parts[0], int(parts[1])


def cookie_max_age(config: DistributionConfig) -> int:
    days = config.binding_expiry_days or 365
    return days * 86_400


def _latest(where: str) -> str:
    """SQL: the latest binding (the one that counts) of each buyer `where` picks, with `expired`."""
    return (
        "SELECT DISTINCT ON (buyer_id) *,"
        " expires_at IS NOT NULL AND expires_at <= now() AS expired"
        f" FROM referral_bindings WHERE {where} ORDER BY buyer_id, id DESC"
    )


async def latest_binding(conn: Connection, buyer_id: int) -> Record | None:
    """The buyer's latest binding, expired or not (None: never bound)."""
    return await conn.fetchrow(_latest("buyer_id = $1"), buyer_id)


async def live_binding(conn: Connection, buyer_id: int) -> Record | None:
    """The binding the buyer's orders are attributed to: the latest, unless it expired."""
    row = await latest_binding(conn, buyer_id)
    return row if row is not None and not row["expired"] else None


async def bound_buyers(conn: Connection, distributor_id: int) -> int:
    """How many buyers have `distributor_id` as their live binding now."""
    ever_bound = "buyer_id IN (SELECT buyer_id FROM referral_bindings WHERE distributor_id = $1)"
    return int(
        await conn.fetchval(
            f"SELECT count(*) FROM ({_latest(ever_bound)}) latest"
            " WHERE latest.distributor_id = $1 AND NOT latest.expired",
            distributor_id,
        )
    )


async def bind(
    conn: Connection,
    config: DistributionConfig,
    *,
    buyer_id: int,
    distributor_id: int,
    link_id: int | None,
    source: str,
    registering: bool = False,
) -> int | None:
    """Add a binding if the mode says so; its id, or None when the buyer stays as they are."""
    await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", BIND_LOCK, buyer_id)
    last = await latest_binding(conn, buyer_id)
    current = rules.Binding(last["distributor_id"], last["expired"]) if last else None
    if not rules.should_bind(
        config.binding_mode,
        buyer_id=buyer_id,
        distributor_id=distributor_id,
        current=current,
        registering=registering,
    ):
        return None
    expiry = timedelta(days=config.binding_expiry_days) if config.binding_expiry_days else None
    return await conn.fetchval(
        "INSERT INTO referral_bindings"
        " (buyer_id, distributor_id, link_id, source, mode, created_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, now(), now() + $6::interval) RETURNING id",
        buyer_id,
        distributor_id,
        link_id,
        source,
        config.binding_mode,
        expiry,
    )


async def referrer(
    conn: Connection, config: DistributionConfig, cookie: str | None
) -> tuple[int, int, int] | None:
    """(distributor, link id, click unix time) of a referral cookie we signed whose click has not
    expired and whose link exists; else None."""
    found = verify(cookie)
    if found is None:
        return None
    code, clicked_at = found
    if (
        config.binding_expiry_days
        and clicked_at + config.binding_expiry_days * 86_400 < time.time()
    ):
        return None
    link = await conn.fetchrow("SELECT id, distributor_id FROM share_links WHERE code = $1", code)
    if link is None:
        return None
    return int(link["distributor_id"]), int(link["id"]), clicked_at


async def bind_from_cookie(
    conn: Connection,
    config: DistributionConfig,
    buyer_id: int,
    cookie: str | None,
    *,
    source: str = "order",
) -> int | None:
    """Bind a buyer who visited a share link before logging in (see the module docstring)."""
    found = await referrer(conn, config, cookie)
    if found is None:
        return None
    distributor_id, link_id, clicked_at = found
    await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", BIND_LOCK, buyer_id)
    last = await latest_binding(conn, buyer_id)
    # A click made before the latest binding was already outranked by it (a later visit, a
    # binding made on another device): the cookie remembers old news. Within its second it counts.
    if last is not None and last["created_at"].timestamp() >= clicked_at + 1:
        return None
    registered_after = bool(
        await conn.fetchval(
            "SELECT created_at >= to_timestamp($2) FROM users WHERE id = $1", buyer_id, clicked_at
        )
    )
    if config.binding_mode == "register_only":
        if not registered_after:
            return None
        source = "register"
    return await bind(
        conn,
        config,
        buyer_id=buyer_id,
        distributor_id=distributor_id,
        link_id=link_id,
        source=source,
        registering=registered_after,
    )


async def on_signed_in(tx: Tx, user_id: int, registered: bool) -> None:
    """AccountHooks.signed_in: the visitor who came by a share link registered or logged in;
    bind them now, so the binding shows at once and a first order from another device counts."""
    cookie = REFERRAL.get()
    if not cookie:
        return
    conn = tx.conn
    await bind_from_cookie(
        conn,
        await load_config(conn),
        user_id,
        cookie,
        source="register" if registered else "login",
    )


def referral_middleware(app: Any) -> Any:
    """ASGI middleware: expose the `lc_ref` cookie of an HTTP request to the placement hook."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        value = None
        for name, raw in scope.get("headers", ()):
            if name == b"cookie" and COOKIE.encode() in raw:
                for part in raw.decode("latin-1").split(";"):
                    key, _, val = part.strip().partition("=")
                    if key == COOKIE:
                        value = val.strip('"')
        token = REFERRAL.set(value)
        try:
            await app(scope, receive, send)
        finally:
            REFERRAL.reset(token)

    return middleware
