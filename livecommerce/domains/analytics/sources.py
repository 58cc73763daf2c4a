"""The events the server records itself, as reactions wired into other domains' ports
(livecommerce/wiring.py): entering and leaving a room (the room socket), paying (orders), a
share link's click (distribution) and a coupon claimed (promotions).

Each one only appends to the in-process buffer (store.record), and the ones that happen inside
a transaction do it after COMMIT: a rolled-back payment is no `paid` event. None of them can
fail or slow the step it reacts to.
"""

from __future__ import annotations

import json
import time
from typing import Any

import structlog
from asyncpg import Connection, Record

from livecommerce.domains.analytics import store
from livecommerce.domains.analytics.events import Event, now
from livecommerce.infra import db
from livecommerce.infra.db import Tx

log = structlog.get_logger("analytics.sources")

# room id -> (host id, live session id or None, when read): a socket joins or leaves on every
# viewer's move, so the room's host and session are read at most once per room every few seconds.
_ROOM_TTL = 5.0
_MAX_ROOMS = 10_000
_rooms: dict[int, tuple[int | None, int | None, float]] = {}


_ROOM_SQL = (
    "SELECT r.host_id, (SELECT s.id FROM live_sessions s WHERE s.room_id = r.id"
    " AND s.status = 'live' ORDER BY s.id DESC LIMIT 1) AS session_id"
    " FROM rooms r WHERE r.id = $1"
)


async def room_context(
    room_id: int, conn: Connection | None = None
) -> tuple[int | None, int | None]:
    """(host id, live session id) of a room; (None, None) for a room that is not there. Inside a
    transaction, pass its connection: a second one from the pool per request would wait on the
    pool that the transactions themselves hold (5,000 claims at once did)."""
    found = _rooms.get(room_id)
    clock = time.monotonic()
    if found is not None and clock - found[2] < _ROOM_TTL:
        return found[0], found[1]
    if conn is not None:
        row = await conn.fetchrow(_ROOM_SQL, room_id)
    else:
        async with db.connection() as own:
            row = await own.fetchrow(_ROOM_SQL, room_id)
    host_id, session_id = (row["host_id"], row["session_id"]) if row else (None, None)
    if len(_rooms) >= _MAX_ROOMS:
        _rooms.clear()
    _rooms[room_id] = (host_id, session_id, clock)
    return host_id, session_id


def forget_rooms() -> None:
    """Tests: a room's session changes faster than the cache forgets."""
    _rooms.clear()


def identity(viewer: str) -> tuple[int | None, str | None]:
    """(user id, guest id) from a room viewer id: `u:<id>` or `g:<guest>`; an address is none."""
    if viewer.startswith("u:") and viewer[2:].isdigit():
        return int(viewer[2:]), None
    if viewer.startswith("g:"):
        return None, viewer[:40]
    return None, None


async def room_presence(room_id: int, viewer: str, watched: float | None) -> None:
    """The room socket's port (RoomHooks.presence): `watched` is None on entering, the seconds
    the socket stayed on leaving."""
    user_id, guest_id = identity(viewer)
    if user_id is None and guest_id is None:
        return  # a guest known only by address: nobody a funnel could follow
    try:
        host_id, session_id = await room_context(room_id)
    except Exception:  # a viewer's join never waits on analytics failing
        log.warning("room_context_failed", room_id=room_id)
        return
    if host_id is None:
        return
    store.record(
        [
            Event(
                now(),
                "room_enter" if watched is None else "room_leave",
                user_id=user_id,
                guest_id=guest_id,
                host_id=host_id,
                room_id=room_id,
                session_id=session_id,
                watch_seconds=None if watched is None else min(int(watched), 2**31 - 1),
            )
        ]
    )


def _attribution(order: Record) -> dict[str, Any]:
    raw = order["attribution"]
    if raw is None:
        return {}
    found = json.loads(raw) if isinstance(raw, str) else raw
    return found if isinstance(found, dict) else {}


async def on_paid(tx: Tx, order: Record) -> None:
    """OrderHooks.paid: one `paid` event per product of the order, with what was paid for it
    (the item amounts less their discount shares add up to the order's pay amount), the
    distributor of the chain snapshotted at placement; recorded once the payment committed."""
    items = await tx.conn.fetch(
        "SELECT product_id, sum(amount - discount) AS paid FROM order_items WHERE order_id = $1"
        " GROUP BY product_id ORDER BY product_id",
        order["id"],
    )
    distributor = _attribution(order).get("distributorId")
    distributor_id = (
        int(distributor)
        if isinstance(distributor, int | str) and str(distributor).isdigit()
        else None
    )
    at = now()
    events = [
        Event(
            at,
            "paid",
            user_id=order["buyer_id"],
            host_id=order["host_id"],
            room_id=order["room_id"],
            session_id=order["session_id"],
            product_id=item["product_id"],
            distributor_id=distributor_id,
            channel="link" if distributor_id is not None else None,
            order_id=order["id"],
            amount=int(item["paid"]),
        )
        for item in items
    ]

    async def keep() -> None:
        store.record(events)

    tx.after_commit(keep)


async def on_link_clicked(tx: Tx, link: Record, visitor_id: int | None, guest: str | None) -> None:
    """The distribution port: a share link was visited (after its click row committed)."""
    host_id: int | None = None
    if link["room_id"] is not None:
        host_id = await tx.conn.fetchval("SELECT host_id FROM rooms WHERE id = $1", link["room_id"])
    elif link["product_id"] is not None:
        host_id = await tx.conn.fetchval(
            "SELECT host_id FROM products WHERE id = $1", link["product_id"]
        )
    event = Event(
        now(),
        "link_click",
        user_id=visitor_id,
        guest_id=None if visitor_id is not None else guest,
        host_id=host_id,
        room_id=link["room_id"],
        product_id=link["product_id"],
        distributor_id=link["distributor_id"],
        channel="link",
    )

    async def keep() -> None:
        store.record([event])

    tx.after_commit(keep)


async def on_coupon_claimed(tx: Tx, coupon: Record, user_id: int) -> None:
    """The promotions port: a user claimed a copy of a coupon (after the claim committed)."""
    _, session_id = await room_context(coupon["room_id"], tx.conn)
    event = Event(
        now(),
        "coupon_claim",
        user_id=user_id,
        host_id=coupon["host_id"],
        room_id=coupon["room_id"],
        session_id=session_id,
    )

    async def keep() -> None:
        store.record([event])

    tx.after_commit(keep)
