"""A group that is not full at its deadline fails: every seated member's order is refunded the
way it was paid (orders/voiding.py: wallet or gateway, through the ledger), exactly once.

Run twice, or late, or beside the sweeper: the group's status flips once (a conditional UPDATE),
and each member's refund is its order's transition under the order's row lock, with the member
row marked in the same transaction; a second run finds the order refunded and does nothing.
The group row is never held while an order is locked (the payment path locks order, then group).
"""

from __future__ import annotations

from livecommerce.domains.live import events as room_events
from livecommerce.domains.orders import voiding
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.infra import db

REFUND_REASON = "group_buy_failed"


async def fail_group(hooks: OrderHooks, group_id: int) -> int:
    """Fail the group if it is due, then refund its seated members; how many were refunded now."""
    async with db.transaction() as tx:
        failed = await tx.conn.fetchrow(
            "UPDATE group_buys SET status = 'failed', failed_at = now()"
            " WHERE id = $1 AND status = 'open' AND expires_at <= now()"
            " RETURNING id, room_id, product_id, paid_count, group_size",
            group_id,
        )
        if failed is not None and failed["room_id"] is not None:
            room_id = failed["room_id"]
            event = room_events.event(
                "group_buy",
                priority=True,
                kind="failed",
                groupId=group_id,
                productId=failed["product_id"],
                paidCount=failed["paid_count"],
                groupSize=failed["group_size"],
                status="failed",
            )
            tx.after_commit(lambda: room_events.publish(room_id, event))
    async with db.connection() as conn:
        members = await conn.fetch(
            "SELECT m.id, m.order_id FROM group_buy_members m"
            " JOIN group_buys g ON g.id = m.group_id WHERE m.group_id = $1"
            " AND g.status = 'failed' AND m.status = 'seated' ORDER BY m.id",
            group_id,
        )
    refunded = 0
    for member in members:
        async with db.transaction() as tx:
            # The order's row lock first (voiding takes it), then the member row.
            refunded += await voiding.void_paid(tx, hooks, member["order_id"], REFUND_REASON)
            await tx.conn.execute(
                "UPDATE group_buy_members SET status = 'refunded' WHERE id = $1"
                " AND status = 'seated'",
                member["id"],
            )
    return refunded


async def due_groups(limit: int) -> list[int]:
    """Groups past their deadline, and failed groups with a member not yet refunded (a run that
    stopped half way)."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id FROM group_buys g WHERE (status = 'open' AND expires_at <= now())"
            " OR (status = 'failed' AND EXISTS (SELECT 1 FROM group_buy_members m"
            "   WHERE m.group_id = g.id AND m.status = 'seated'))"
            " ORDER BY expires_at, id LIMIT $1",
            limit,
        )
    return [row["id"] for row in rows]
