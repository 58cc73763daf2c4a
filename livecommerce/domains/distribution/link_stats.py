"""A distributor's links with what each brought: clicks, buyers bound through it, and the paid
orders attributed to it (the order's snapshot names the link the buyer's binding came from)."""

from __future__ import annotations

from livecommerce.domains.distribution import distributors
from livecommerce.domains.distribution.schemas import LinkStats, LinkStatsPage
from livecommerce.infra import db
from livecommerce.settings import Settings

# Orders are found through `orders_attributed_paid` (distributor, paid_at): the expression here
# must stay the index's.
ATTRIBUTED_TO = "(attribution->>'distributorId')::int"
PAID = "attribution IS NOT NULL AND paid_at IS NOT NULL"  # the index's predicate


async def my_links(env: Settings, user_id: int, cursor: int | None, limit: int) -> LinkStatsPage:
    async with db.connection() as conn:
        await distributors.profile(conn, user_id)
        rows = await conn.fetch(
            "SELECT l.*, coalesce(p.title, r.title, '') AS title,"
            " (SELECT count(*) FROM share_clicks c WHERE c.link_id = l.id) AS clicks"
            " FROM share_links l LEFT JOIN products p ON p.id = l.product_id"
            " LEFT JOIN rooms r ON r.id = l.room_id"
            " WHERE l.distributor_id = $1 AND ($2::int IS NULL OR l.id < $2)"
            " ORDER BY l.id DESC LIMIT $3",
            user_id,
            cursor,
            limit + 1,
        )
        ids = [r["id"] for r in rows[:limit]]
        bound = await conn.fetch(
            "SELECT link_id, count(DISTINCT buyer_id) AS buyers FROM referral_bindings"
            " WHERE distributor_id = $1 AND link_id = ANY($2::int[]) GROUP BY link_id",
            user_id,
            ids,
        )
        sold = await conn.fetch(
            "SELECT (attribution->>'linkId')::int AS link_id, count(*) AS orders,"
            " COALESCE(SUM(pay_amount - refunded_amount), 0)::bigint AS sales FROM orders"
            f" WHERE {ATTRIBUTED_TO} = $1 AND {PAID}"
            " AND (attribution->>'linkId')::int = ANY($2::int[]) GROUP BY 1",
            user_id,
            ids,
        )
    buyers = {r["link_id"]: r["buyers"] for r in bound}
    orders = {r["link_id"]: (r["orders"], r["sales"]) for r in sold}
    items = [
        LinkStats(
            id=r["id"],
            code=r["code"],
            url=f"{env.base_url}/s/{r['code']}",
            qr_svg_url=f"{env.base_url}/s/{r['code']}/qr.svg",
            target=r["target"],
            room_id=r["room_id"],
            product_id=r["product_id"],
            title=r["title"],
            clicks=r["clicks"],
            bound_buyers=buyers.get(r["id"], 0),
            orders=orders.get(r["id"], (0, 0))[0],
            sales=orders.get(r["id"], (0, 0))[1],
            created_at=r["created_at"],
        )
        for r in rows[:limit]
    ]
    return LinkStatsPage(items=items, next_cursor=ids[-1] if len(rows) > limit else None)
