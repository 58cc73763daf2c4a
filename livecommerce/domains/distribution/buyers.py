"""The buyers bound to a distributor now: those whose latest binding is theirs and has not
expired (the history is append-only; see bindings.py), newest first, names masked."""

from __future__ import annotations

from livecommerce.domains.distribution import bindings, distributors
from livecommerce.domains.distribution.link_stats import ATTRIBUTED_TO, PAID
from livecommerce.domains.distribution.schemas import BoundBuyer, BoundBuyerPage
from livecommerce.infra import db
from livecommerce.infra.text import mask_name

_CURRENT = (
    "SELECT * FROM (SELECT DISTINCT ON (b.buyer_id) b.*,"
    " b.expires_at IS NOT NULL AND b.expires_at <= now() AS expired FROM referral_bindings b"
    " WHERE b.buyer_id IN (SELECT buyer_id FROM referral_bindings WHERE distributor_id = $1)"
    " ORDER BY b.buyer_id, b.id DESC) latest"
    " WHERE latest.distributor_id = $1 AND NOT latest.expired"
)


async def bound_buyers(user_id: int, cursor: int | None, limit: int) -> BoundBuyerPage:
    async with db.connection() as conn:
        await distributors.profile(conn, user_id)
        count = await bindings.bound_buyers(conn, user_id)
        rows = await conn.fetch(
            f"SELECT latest.*, u.display_name FROM ({_CURRENT}) latest"
            " JOIN users u ON u.id = latest.buyer_id"
            " WHERE ($2::int IS NULL OR latest.id < $2) ORDER BY latest.id DESC LIMIT $3",
            user_id,
            cursor,
            limit + 1,
        )
        buyer_ids = [r["buyer_id"] for r in rows[:limit]]
        orders = await conn.fetch(
            "SELECT buyer_id, count(*) AS orders FROM orders"
            f" WHERE {ATTRIBUTED_TO} = $1 AND {PAID}"
            " AND buyer_id = ANY($2::int[]) GROUP BY buyer_id",
            user_id,
            buyer_ids,
        )
    paid = {r["buyer_id"]: r["orders"] for r in orders}
    items = [
        BoundBuyer(
            binding_id=r["id"],
            name=mask_name(r["display_name"]),
            bound_at=r["created_at"],
            expires_at=r["expires_at"],
            source=r["source"],
            orders=paid.get(r["buyer_id"], 0),
        )
        for r in rows[:limit]
    ]
    return BoundBuyerPage(
        count=count,
        items=items,
        next_cursor=items[-1].binding_id if len(rows) > limit else None,
    )
