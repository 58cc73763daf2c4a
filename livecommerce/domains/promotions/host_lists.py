"""A host's own coupons and red packets, newest first, with how far each has gone: the console's
lists (drafts, live, sold out; issued, claimed and used counts)."""

from __future__ import annotations

from asyncpg import Record

from livecommerce.domains.promotions.coupons import coupon_out
from livecommerce.domains.promotions.schemas import (
    HostCouponOut,
    HostCouponPage,
    HostRedPacketOut,
    HostRedPacketPage,
)
from livecommerce.infra import db

_COUPON_STATE = """
CASE WHEN c.valid_to IS NOT NULL AND c.valid_to <= now() THEN 'expired'
     WHEN c.issued >= c.quota THEN 'sold_out'
     WHEN c.dropped_at IS NULL THEN 'draft'
     ELSE 'live' END
"""


async def coupons(
    host_id: int, room_id: int | None, state: str | None, cursor: int | None, limit: int
) -> HostCouponPage:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM (SELECT c.*, r.title AS room_title,"
            f" {_COUPON_STATE} AS state,"
            " (SELECT count(*) FROM user_coupons u WHERE u.coupon_id = c.id"
            "   AND u.status = 'used') AS used"
            " FROM coupons c JOIN rooms r ON r.id = c.room_id WHERE c.host_id = $1"
            " AND ($2::int IS NULL OR c.room_id = $2) AND ($4::int IS NULL OR c.id < $4)) listed"
            " WHERE ($3::text IS NULL OR state = $3) ORDER BY id DESC LIMIT $5",
            host_id,
            room_id,
            state,
            cursor,
            limit + 1,
        )
    items = [_coupon(row) for row in rows[:limit]]
    return HostCouponPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


def _coupon(row: Record) -> HostCouponOut:
    base = coupon_out(row)
    return HostCouponOut(
        **{name: getattr(base, name) for name in base.__struct_fields__},
        room_title=row["room_title"],
        state=row["state"],
        claimed=row["issued"],
        used=int(row["used"]),
    )


_PACKET_STATE = """
CASE WHEN p.status = 'expired' OR (p.status = 'active' AND p.expires_at <= now()) THEN 'expired'
     WHEN p.status = 'finished' OR g.n >= p.count THEN 'finished'
     ELSE 'active' END
"""


async def red_packets(
    host_id: int, room_id: int | None, state: str | None, cursor: int | None, limit: int
) -> HostRedPacketPage:
    """Counts come from the parts (the row's are written when a packet ends)."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM (SELECT p.*, r.title AS room_title, g.n AS grabbed,"
            f" g.amount AS grabbed_amount, {_PACKET_STATE} AS state"
            " FROM red_packets p JOIN rooms r ON r.id = p.room_id"
            " CROSS JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(amount), 0) AS amount"
            "   FROM red_packet_parts WHERE packet_id = p.id AND user_id IS NOT NULL) g"
            " WHERE p.host_id = $1 AND ($2::int IS NULL OR p.room_id = $2)"
            " AND ($4::int IS NULL OR p.id < $4)) listed"
            " WHERE ($3::text IS NULL OR state = $3) ORDER BY id DESC LIMIT $5",
            host_id,
            room_id,
            state,
            cursor,
            limit + 1,
        )
    items = [
        HostRedPacketOut(
            id=row["id"],
            room_id=row["room_id"],
            room_title=row["room_title"],
            session_id=row["session_id"],
            greeting=row["greeting"],
            split=row["split"],
            total_amount=row["total_amount"],
            count=row["count"],
            claimed_count=int(row["grabbed"]),
            claimed_amount=int(row["grabbed_amount"]),
            state=row["state"],
            refunded_amount=row["refunded_amount"],
            expires_at=row["expires_at"],
            created_at=row["created_at"],
        )
        for row in rows[:limit]
    ]
    return HostRedPacketPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)
