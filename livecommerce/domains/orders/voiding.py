"""The system's full refund of a paid, unshipped order (Action.VOID): a group buy that failed at
its deadline gives each member's money back the way they paid (wallet or gateway), through the
ledger, as an approved refund the buyer sees on the order.

Exactly once: the order's row lock and the transition table decide (a second run finds the
order `refunded`, not `paid`, and does nothing), and the ledger's key `refund:void:{order}`
refuses a second posting anyway.
"""

from __future__ import annotations

import json

from livecommerce.domains.orders.escrow import escrow_holding
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.lifecycle import begin, restock
from livecommerce.domains.orders.rules import Action
from livecommerce.domains.payments import services as payments
from livecommerce.infra.db import Tx


async def void_paid(tx: Tx, hooks: OrderHooks, order_id: int, reason_code: str) -> bool:
    """Refund all of a paid order in the caller's transaction; False when it is not (or no
    longer) `paid`. Commissions, member growth and points are taken back by `hooks.refunded`."""
    conn = tx.conn
    step = await begin(conn, order_id, Action.VOID, None)
    if step is None:
        return False
    order, target = step
    amount = order["pay_amount"] - order["refunded_amount"]
    # What each item still holds is what it gives back: the refund's allocation, as
    # approve_refund spreads one (commissions are reversed per item from it).
    allocation = {
        row["id"]: row["left"]
        for row in await conn.fetch(
            "SELECT id, paid_amount - refunded_amount AS left FROM order_items"
            " WHERE order_id = $1 AND refunded_amount < paid_amount ORDER BY id",
            order_id,
        )
    }
    await conn.execute(
        "UPDATE order_items SET refunded_amount = paid_amount WHERE order_id = $1", order_id
    )
    updated = await conn.fetchrow(
        "UPDATE orders SET status = $2, refunded_amount = pay_amount, held_by = NULL"
        " WHERE id = $1 RETURNING *",
        order_id,
        target.value,
    )
    if amount <= 0:
        return True
    await conn.execute(
        "INSERT INTO refunds (order_id, amount, reason, status, decision_reason, allocation,"
        " reason_code, quantities, photos, created_at, decided_at)"
        " VALUES ($1, $2, '', 'approved', $3::text, $4, $3::text, '{}', '{}', now(), now())",
        order_id,
        amount,
        reason_code,
        json.dumps({str(k): v for k, v in allocation.items()}),
    )
    payment = await conn.fetchrow(
        "SELECT * FROM payments WHERE order_id = $1 AND status = 'succeeded'"
        " ORDER BY paid_at DESC LIMIT 1 FOR UPDATE",
        order_id,
    )
    if payment is None:
        raise ValueError(f"order {order_id} is paid but has no succeeded payment")
    # Nothing was shipped: the units go back on the shelf. SKU rows before the ledger's accounts
    # (the lock order, catalog/locks.py): the host's escrow is held shortest.
    await restock(conn, order_id)
    escrow = await escrow_holding(conn, order)
    await payments.refund_payment(conn, payment, amount, f"void:{order_id}", escrow)
    for reaction in hooks.refunded:
        await reaction(tx, updated, allocation)
    return True
