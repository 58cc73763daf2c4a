"""POST /api/events: the pages' batched beacon (static/js/beacon.js).

Anyone may send it, guests too (by the id the server signed, `lc_guest`), but nothing in it is
taken on trust: the kinds are the few a page can see happen (a payment, a visit or a link click
is recorded by the server itself), every id must exist, the host is the room's or the product's
(never the client's), the time is the server's (less the age the page declares, at most ten
minutes), the device is read from the User-Agent, and the distributor is the one who brought
the viewer (a user's live binding, a guest's signed share-link cookie). At most 50 events a
call, and a bucket of calls per viewer. A refused batch is refused whole, as problem details.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from asyncpg import Connection
from litestar import Controller, Request, post

from livecommerce.domains.analytics import store
from livecommerce.domains.analytics.events import Event, now
from livecommerce.domains.analytics.schemas import BeaconAccepted, BeaconBatch
from livecommerce.domains.distribution import bindings
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.realtime import guests
from livecommerce.realtime.limits import TokenBucket

# Per viewer in this process: a page flushes every few seconds and on leaving; 30 calls at once,
# then one a second, is far more than a person and far less than a script wants.
_RATE, _BURST, _MAX_VIEWERS = 1.0, 30.0, 50_000
_buckets: dict[str, TokenBucket] = {}


def _take(viewer: str) -> bool:
    clock = time.monotonic()
    bucket = _buckets.get(viewer)
    if bucket is None:
        if len(_buckets) >= _MAX_VIEWERS:
            for stale in list(_buckets)[: _MAX_VIEWERS // 10]:
                del _buckets[stale]
        bucket = _buckets[viewer] = TokenBucket(_RATE, _BURST, clock)
    return bucket.take(clock)


def forget_limits() -> None:
    _buckets.clear()


def device_of(user_agent: str) -> str:
    ua = user_agent.lower()
    if "miniprogram" in ua:
        return "mini_program"
    if "micromessenger" in ua:
        return "wechat"
    if "iphone" in ua or "ipad" in ua:
        return "ios"
    if "android" in ua:
        return "android"
    if "mobile" in ua:
        return "mobile"
    return "desktop" if ua else "other"


def _viewer(
    request: Request[Any, Any, Any], actor: Actor | None
) -> tuple[str, int | None, str | None]:
    """(rate-limit key, user id, guest id)."""
    if actor is not None:
        return f"u:{actor.id}", actor.id, None
    cookie = request.cookies.get(guests.COOKIE, "")
    if cookie and guests.GuestIds(request.app.state.settings.secret_key).valid(cookie):
        guest = guests.viewer_id(cookie)
        return guest, None, guest
    return guests.ADDRESS_PREFIX + guests.client_address(request.scope), None, None


async def _distributor(conn: Connection, user_id: int | None, ref_cookie: str | None) -> int | None:
    """Who brought this viewer: a user's live binding, else a guest's share-link cookie (the one
    that binds them when they sign up), so page events count in that distributor's funnel."""
    if user_id is not None:
        binding = await bindings.live_binding(conn, user_id)
        if binding is not None:
            return int(binding["distributor_id"])
    clicked = bindings.verify(ref_cookie)
    if clicked is None:
        return None
    found = await conn.fetchval(
        "SELECT distributor_id FROM share_links WHERE code = $1", clicked[0]
    )
    return int(found) if found is not None else None


async def _targets(
    room_ids: set[int], product_ids: set[int], user_id: int | None, ref_cookie: str | None
) -> tuple[dict[int, tuple[int, int | None]], dict[int, int], int | None]:
    """room id -> (host, live session), product id -> host (404 for an id that is not there),
    and the viewer's distributor."""
    async with db.connection() as conn:
        distributor_id = await _distributor(conn, user_id, ref_cookie)
        rooms = await conn.fetch(
            "SELECT r.id, r.host_id, (SELECT s.id FROM live_sessions s WHERE s.room_id = r.id"
            " AND s.status = 'live' ORDER BY s.id DESC LIMIT 1) AS session_id"
            " FROM rooms r WHERE r.id = ANY($1::int[])",
            list(room_ids),
        )
        products = await conn.fetch(
            "SELECT id, host_id FROM products WHERE id = ANY($1::int[])", list(product_ids)
        )
    by_room = {r["id"]: (r["host_id"], r["session_id"]) for r in rooms}
    by_product = {p["id"]: p["host_id"] for p in products}
    missing = sorted(room_ids - by_room.keys()) + sorted(product_ids - by_product.keys())
    if missing:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no room or product {missing[0]}")
    return by_room, by_product, distributor_id


class BeaconController(Controller):
    path = "/api/events"
    tags = ["analytics"]

    @post("/", status_code=202)
    async def collect(
        self, request: Request[Any, Any, Any], maybe_actor: Actor | None, data: BeaconBatch
    ) -> BeaconAccepted:
        """A page's batch of behaviour events (at most 50): product_view, bag_open, sheet_add,
        checkout_start, share, each about a room and/or a product. 202 once kept in memory; the
        writer stores them within a second. 404 for an unknown room or product, 422
        `event_target_mismatch` when a room and a product are of different hosts, 429 past the
        viewer's rate."""
        key, user_id, guest_id = _viewer(request, maybe_actor)
        if not _take(key):
            raise DomainError(ErrorCode.RATE_LIMITED, detail="too many event batches", retryAfter=1)
        for event in data.events:
            if event.room_id is None and event.product_id is None:
                raise DomainError(
                    ErrorCode.VALIDATION_ERROR,
                    detail=f"a {event.kind} event needs a room or product",
                )
        rooms, products, distributor_id = await _targets(
            {e.room_id for e in data.events if e.room_id is not None},
            {e.product_id for e in data.events if e.product_id is not None},
            user_id,
            request.cookies.get(bindings.COOKIE),
        )
        device = device_of(request.headers.get("user-agent", "")[:512])
        received = now()
        kept = []
        for event in data.events:
            room = rooms.get(event.room_id) if event.room_id is not None else None
            host_id = room[0] if room else products[event.product_id or 0]
            if event.product_id is not None and products[event.product_id] != host_id:
                raise DomainError(
                    ErrorCode.EVENT_TARGET_MISMATCH,
                    detail=f"product {event.product_id} is not sold by room {event.room_id}'s host",
                )
            kept.append(
                Event(
                    received - timedelta(milliseconds=event.age_ms),
                    event.kind,
                    user_id=user_id,
                    guest_id=guest_id,
                    host_id=host_id,
                    room_id=event.room_id,
                    session_id=room[1] if room else None,
                    product_id=event.product_id,
                    distributor_id=distributor_id,
                    channel=event.channel,
                    device=device,
                )
            )
        store.record(kept)
        return BeaconAccepted(accepted=len(kept))


CONTROLLERS = [BeaconController]
