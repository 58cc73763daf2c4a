"""Growth: the amount a member paid a host, added when an order is paid and taken back per item
when a refund is paid back (orders' hooks, in the step's own transaction).

Two payments of one member at the same instant must both count. The member row is written by one
upsert that adds to its totals (`lifetime_spend = members.lifetime_spend + EXCLUDED...`), so
PostgreSQL serialises the two adds on the row; nothing reads the total and writes it back. Each
movement is also kept in `member_growth` under a unique key, which makes a repeated hook a no-op
and lets a tier window sum the movements in it.
"""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.infra.db import Tx


async def _record(
    conn: Connection, order: Record, key: str, amount: int, *, paid_order: bool
) -> int | None:
    """Add `amount` to the member's growth under `key`; returns the member id, or None when the
    key was already recorded."""
    member_id = await conn.fetchval(
        "SELECT id FROM members WHERE host_id = $1 AND user_id = $2",
        order["host_id"],
        order["buyer_id"],
    )
    if member_id is None:
        member_id = await conn.fetchval(
            "INSERT INTO members (host_id, user_id, created_at) VALUES ($1, $2, now())"
            " ON CONFLICT (host_id, user_id) DO UPDATE SET host_id = EXCLUDED.host_id"
            " RETURNING id",
            order["host_id"],
            order["buyer_id"],
        )
    inserted = await conn.fetchval(
        "INSERT INTO member_growth (member_id, order_id, business_key, amount, created_at)"
        " VALUES ($1, $2, $3, $4, now()) ON CONFLICT (business_key) DO NOTHING RETURNING id",
        member_id,
        order["id"],
        key,
        amount,
    )
    if inserted is None:
        return None
    await conn.execute(
        "UPDATE members SET lifetime_spend = lifetime_spend + $2,"
        " paid_orders = paid_orders + $3,"
        " first_paid_at = CASE WHEN $3 = 1 THEN COALESCE(first_paid_at, now())"
        "   ELSE first_paid_at END,"
        " last_paid_at = CASE WHEN $3 = 1 THEN now() ELSE last_paid_at END"
        " WHERE id = $1",
        member_id,
        amount,
        1 if paid_order else 0,
    )
    return int(member_id)


async def on_paid(tx: Tx, order: Record) -> None:
    """OrderHooks.paid: the buyer is (now) the host's member, and the amount paid is growth."""
    await _record(tx.conn, order, f"order:{order['id']}:paid", order["pay_amount"], paid_order=True)


async def on_refunded(tx: Tx, order: Record, allocation: dict[int, int]) -> None:
    """OrderHooks.refunded: each item's refunded fen come off the member's growth. The key names
    the item's refunded total after this refund, which no other refund of it can repeat."""
    refunded_to = {
        r["id"]: r["refunded_amount"]
        for r in await tx.conn.fetch(
            "SELECT id, refunded_amount FROM order_items WHERE id = ANY($1::int[])",
            list(allocation),
        )
    }
    for item_id, fen in sorted(allocation.items()):
        if fen > 0:
            key = f"order:{order['id']}:item:{item_id}:refunded:{refunded_to[item_id]}"
            await _record(tx.conn, order, key, -fen, paid_order=False)
