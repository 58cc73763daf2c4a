"""What a distributor sees: their figures, their downline by level, their commissions."""

from __future__ import annotations

from livecommerce.domains import ledger
from livecommerce.domains.distribution import bindings
from livecommerce.domains.distribution import team as team_view
from livecommerce.domains.distribution.distributors import profile
from livecommerce.domains.distribution.rules import net
from livecommerce.domains.distribution.schemas import (
    CommissionOut,
    CommissionPage,
    DistributorStats,
    TeamPage,
)
from livecommerce.domains.distribution.settle_dates import expected_settlement
from livecommerce.domains.ledger import Kind
from livecommerce.infra import db
from livecommerce.infra.text import mask_name


async def stats(user_id: int) -> DistributorStats:
    async with db.connection() as conn:
        me = await profile(conn, user_id)
        row = await conn.fetchrow(
            "SELECT"
            " (SELECT count(*) FROM share_clicks WHERE distributor_id = $1) AS clicks,"
            " (SELECT count(DISTINCT order_id) FROM commissions WHERE distributor_id = $1)"
            "   AS orders,"
            " (SELECT COALESCE(SUM(amount), 0) FROM withdrawals"
            "   WHERE user_id = $1 AND status = 'paid')::bigint AS withdrawn",
            user_id,
        )
        earned = await conn.fetch(
            "SELECT status = 'settled' AS settled, COALESCE(SUM(amount), 0)::bigint AS amount,"
            " COALESCE(SUM(reversed_amount), 0)::bigint AS reversed_amount FROM commissions"
            " WHERE distributor_id = $1 AND status IN ('pending', 'due', 'settled')"
            " GROUP BY status = 'settled'",
            user_id,
        )
        bound = await bindings.bound_buyers(conn, user_id)
        balances = await ledger.balances_of(conn, user_id)
    if row is None:
        raise RuntimeError("a SELECT without FROM gave no row")
    net_of = {r["settled"]: net(r["amount"], r["reversed_amount"]) for r in earned}
    return DistributorStats(
        profile=me,
        clicks=row["clicks"],
        bound_buyers=bound,
        orders=row["orders"],
        pending=net_of.get(False, 0),
        settled=net_of.get(True, 0),
        withdrawn=row["withdrawn"],
        held=balances.get(Kind.HELD, 0),
        available=balances.get(Kind.WALLET, 0),
        debt=-balances.get(Kind.DEBT, 0),
    )


async def team(
    user_id: int, level: int | None, cursor: int | None, limit: int, *, timezone: str
) -> TeamPage:
    """The downline by level with this month's sales (team.py)."""
    return await team_view.team(user_id, level, cursor, limit, timezone=timezone)


async def commissions(
    user_id: int, status: str | None, cursor: int | None, limit: int, *, order_id: int | None = None
) -> CommissionPage:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT c.*, i.title, i.refunded_amount AS item_refunded, u.display_name,"
            " o.status AS order_status, o.received_at, o.after_sales_until FROM commissions c"
            " JOIN order_items i ON i.id = c.order_item_id JOIN users u ON u.id = c.buyer_id"
            " JOIN orders o ON o.id = c.order_id"
            " WHERE c.distributor_id = $1 AND ($2::text IS NULL OR c.status = $2)"
            " AND ($3::int IS NULL OR c.id < $3) AND ($5::int IS NULL OR c.order_id = $5)"
            " ORDER BY c.id DESC LIMIT $4",
            user_id,
            status,
            cursor,
            limit + 1,
            order_id,
        )
    items = [
        CommissionOut(
            id=r["id"],
            order_id=r["order_id"],
            order_item_id=r["order_item_id"],
            item_title=r["title"],
            buyer=mask_name(r["display_name"]),
            level=r["level"],
            rate_bp=r["rate_bp"],
            base_amount=r["base_amount"],
            amount=r["amount"],
            reversed_amount=r["reversed_amount"],
            net_amount=net(r["amount"], r["reversed_amount"]),
            status=r["status"],
            reversal_reason=r["reversal_reason"],
            created_at=r["created_at"],
            settled_at=r["settled_at"],
            settle_rule=rule,
            settles_at=settles_at,
            order_status=r["order_status"],
            received_at=r["received_at"],
            item_refunded=r["item_refunded"],
        )
        for r in rows[:limit]
        for rule, settles_at in [
            expected_settlement(
                r["status"],
                order_status=r["order_status"],
                after_sales_until=r["after_sales_until"],
                due_at=r["due_at"],
                settled_at=r["settled_at"],
            )
        ]
    ]
    return CommissionPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)
