"""The customer 360: everything a host's staff know about one of its people, in one read.

Figures are the host's own: its orders, its rooms and products (behaviour_events with its
host_id), its coupons, its points; the distributor binding is platform-wide (who brought the
buyer) and the chain is the one snapshotted on their latest attributed order with this host.
"""

from __future__ import annotations

import json
from typing import Any

from asyncpg import Connection

from livecommerce.domains.distribution import bindings
from livecommerce.domains.members import notes, people, points, tags
from livecommerce.domains.members.crm_schemas import (
    ChainLink,
    CouponLine,
    CouponsOut,
    Customer360,
    DistributorOut,
    GrowthLine,
    MemberFigures,
    OrderLine,
    ProductViewed,
    RoomWatched,
)
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

RECENT = 20


async def _figures(conn: Connection, host_id: int, user_id: int) -> MemberFigures:
    m = await conn.fetchrow(
        "SELECT m.*, t.name AS tier_name FROM members m"
        " LEFT JOIN member_tiers t ON t.host_id = m.host_id AND t.code = m.tier_code"
        " WHERE m.host_id = $1 AND m.user_id = $2",
        host_id,
        user_id,
    )
    if m is None:
        return MemberFigures(
            is_member=False,
            tier_code="",
            tier_name="",
            tier_changed_at=None,
            lifetime_spend=0,
            paid_orders=0,
            average_order_value=0,
            first_paid_at=None,
            last_paid_at=None,
            member_since=None,
        )
    orders = m["paid_orders"]
    return MemberFigures(
        is_member=True,
        tier_code=m["tier_code"],
        tier_name=m["tier_name"] or "",
        tier_changed_at=m["tier_changed_at"],
        lifetime_spend=m["lifetime_spend"],
        paid_orders=orders,
        average_order_value=m["lifetime_spend"] // orders if orders > 0 else 0,
        first_paid_at=m["first_paid_at"],
        last_paid_at=m["last_paid_at"],
        member_since=m["created_at"],
    )


async def _growth(conn: Connection, host_id: int, user_id: int) -> list[GrowthLine]:
    rows = await conn.fetch(
        "SELECT g.order_id, g.amount, g.created_at AS at FROM member_growth g"
        " JOIN members m ON m.id = g.member_id WHERE m.host_id = $1 AND m.user_id = $2"
        " ORDER BY g.id DESC LIMIT $3",
        host_id,
        user_id,
        RECENT,
    )
    return [GrowthLine(**dict(r)) for r in rows]


async def _orders(conn: Connection, host_id: int, user_id: int) -> list[OrderLine]:
    rows = await conn.fetch(
        "SELECT o.id, o.status, o.pay_amount, o.refunded_amount, o.room_id, o.created_at,"
        " o.paid_at, (SELECT count(*) FROM order_items i WHERE i.order_id = o.id)::int AS items,"
        " coalesce((SELECT i.title FROM order_items i WHERE i.order_id = o.id"
        "  ORDER BY i.id LIMIT 1), '') AS title"
        " FROM orders o WHERE o.host_id = $1 AND o.buyer_id = $2 ORDER BY o.id DESC LIMIT $3",
        host_id,
        user_id,
        RECENT,
    )
    return [OrderLine(**dict(r)) for r in rows]


async def _rooms(conn: Connection, host_id: int, user_id: int) -> tuple[list[RoomWatched], int]:
    rows = await conn.fetch(
        "SELECT e.room_id, coalesce(max(r.title), '') AS title,"
        " count(*) FILTER (WHERE e.kind = 'room_enter')::int AS visits,"
        " coalesce(sum(e.watch_seconds) FILTER (WHERE e.kind = 'room_leave'), 0)::int"
        "  AS watch_seconds, max(e.occurred_at) AS last_at"
        " FROM behaviour_events e LEFT JOIN rooms r ON r.id = e.room_id"
        " WHERE e.user_id = $2 AND e.host_id = $1 AND e.room_id IS NOT NULL"
        "  AND e.kind IN ('room_enter', 'room_leave')"
        " GROUP BY e.room_id ORDER BY max(e.occurred_at) DESC",
        host_id,
        user_id,
    )
    watched = [RoomWatched(**dict(r)) for r in rows]
    return watched[:RECENT], sum(r.watch_seconds for r in watched)


async def _viewed(conn: Connection, host_id: int, user_id: int, tz: str) -> list[ProductViewed]:
    rows = await conn.fetch(
        "SELECT e.product_id, coalesce(max(p.title), '') AS title, count(*)::int AS views,"
        " count(DISTINCT (e.occurred_at AT TIME ZONE $3)::date)::int AS days,"
        " max(e.occurred_at) AS last_at,"
        " EXISTS (SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id"
        "  WHERE o.host_id = $1 AND o.buyer_id = $2 AND o.paid_at IS NOT NULL"
        "  AND i.product_id = e.product_id) AS bought"
        " FROM behaviour_events e LEFT JOIN products p ON p.id = e.product_id"
        " WHERE e.user_id = $2 AND e.host_id = $1 AND e.kind = 'product_view'"
        "  AND e.product_id IS NOT NULL"
        " GROUP BY e.product_id ORDER BY max(e.occurred_at) DESC LIMIT $4",
        host_id,
        user_id,
        tz,
        RECENT,
    )
    return [ProductViewed(**dict(r)) for r in rows]


async def _coupons(conn: Connection, host_id: int, user_id: int) -> CouponsOut:
    counts = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE uc.status = 'available' AND uc.valid_until > now())::int"
        "  AS held, count(*) FILTER (WHERE uc.status = 'used')::int AS used"
        " FROM user_coupons uc JOIN coupons c ON c.id = uc.coupon_id"
        " WHERE c.host_id = $1 AND uc.user_id = $2",
        host_id,
        user_id,
    )
    rows = await conn.fetch(
        "SELECT uc.id AS user_coupon_id, c.title, uc.status, uc.claimed_at, uc.used_at,"
        " uc.order_id FROM user_coupons uc JOIN coupons c ON c.id = uc.coupon_id"
        " WHERE c.host_id = $1 AND uc.user_id = $2 ORDER BY uc.id DESC LIMIT $3",
        host_id,
        user_id,
        RECENT,
    )
    return CouponsOut(
        held=counts["held"], used=counts["used"], items=[CouponLine(**dict(r)) for r in rows]
    )


async def _names(conn: Connection, ids: list[int]) -> dict[int, str]:
    rows = await conn.fetch("SELECT id, display_name FROM users WHERE id = ANY($1::int[])", ids)
    return {r["id"]: r["display_name"] for r in rows}


async def _distributor(conn: Connection, host_id: int, user_id: int) -> DistributorOut:
    binding = await bindings.live_binding(conn, user_id)
    last = await conn.fetchrow(
        "SELECT id, attribution FROM orders WHERE host_id = $1 AND buyer_id = $2"
        " AND attribution IS NOT NULL ORDER BY id DESC LIMIT 1",
        host_id,
        user_id,
    )
    attribution: dict[str, Any] = {}
    if last is not None:
        raw = last["attribution"]
        attribution = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
    chain = [
        (int(link["level"]), int(link["userId"]))
        for link in attribution.get("chain", [])
        if isinstance(link, dict) and "level" in link and "userId" in link
    ]
    ids = [u for _, u in chain] + ([binding["distributor_id"]] if binding else [])
    names = await _names(conn, ids) if ids else {}
    return DistributorOut(
        bound_to=(
            ChainLink(
                level=1,
                user_id=binding["distributor_id"],
                name=names.get(binding["distributor_id"], ""),
            )
            if binding
            else None
        ),
        bound_since=binding["created_at"] if binding else None,
        bound_until=binding["expires_at"] if binding else None,
        last_order_id=last["id"] if last else None,
        last_order_chain=[ChainLink(level=lv, user_id=u, name=names.get(u, "")) for lv, u in chain],
    )


async def customer_360(host_id: int, user_id: int, tz: str) -> Customer360:
    async with db.connection() as conn:
        await people.ensure_visible(conn, host_id, user_id)
        user = await conn.fetchrow(
            "SELECT id, username, display_name, created_at FROM users WHERE id = $1", user_id
        )
        if user is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no member {user_id}")
        rooms, watch_seconds = await _rooms(conn, host_id, user_id)
        return Customer360(
            user_id=user_id,
            username=user["username"],
            display_name=user["display_name"],
            joined_at=user["created_at"],
            member=await _figures(conn, host_id, user_id),
            growth=await _growth(conn, host_id, user_id),
            orders=await _orders(conn, host_id, user_id),
            rooms=rooms,
            watch_seconds=watch_seconds,
            products_viewed=await _viewed(conn, host_id, user_id, tz),
            coupons=await _coupons(conn, host_id, user_id),
            points=await points.balances(conn, host_id, user_id),
            distributor=await _distributor(conn, host_id, user_id),
            tags=await tags.of_member(conn, host_id, user_id),
            notes=await notes.notes_of(conn, host_id, user_id),
            follow_up=await notes.follow_up_of(conn, host_id, user_id),
        )
