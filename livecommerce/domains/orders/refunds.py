"""Refunds: the buyer asks, the host (or an admin) approves or rejects; money goes back the way
it came.

The buyer's request (the after-sales form) is orders/after_sales.py. A refund is spread over
the order's items (all of it on one item, or in proportion to what each item still holds), so
commissions can be reversed pro rata per item.

Partial refunds: the buyer asks for all, an amount or one item; the host may approve less than
asked (with a reason the buyer sees), spread over the asked items in proportion; the rest stays
refundable, and the buyer may ask again. The host's decision reasons are kept on the refund.
"""

from __future__ import annotations

import json

from asyncpg import Connection, Record

from livecommerce.domains.orders.after_sales import too_large
from livecommerce.domains.orders.escrow import escrow_holding
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.lifecycle import lock_order, parties, restock
from livecommerce.domains.orders.queries import order_out
from livecommerce.domains.orders.rules import Action, Status, allocate, ensure_transition
from livecommerce.domains.orders.schemas import OrderOut
from livecommerce.domains.payments import services as payments
from livecommerce.infra import db, queue
from livecommerce.infra.auth import Actor
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings


async def _lock_open_refund(
    conn: Connection, refund_id: int, actor: Actor, action: Action
) -> tuple[Record, Record]:
    order_id = await conn.fetchval("SELECT order_id FROM refunds WHERE id = $1", refund_id)
    if order_id is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no refund {refund_id}")
    order = await lock_order(conn, order_id)
    ensure_transition(order["status"], action, parties(actor, order))
    refund = await conn.fetchrow("SELECT * FROM refunds WHERE id = $1 FOR UPDATE", refund_id)
    if refund is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no refund {refund_id}")
    if refund["status"] != "requested":
        raise DomainError(
            ErrorCode.ILLEGAL_TRANSITION,
            detail=f"refund {refund_id} is already {refund['status']}",
        )
    return order, refund


def granted(asked: dict[int, int], amount: int) -> dict[int, int]:
    """What each item gives back when `amount` of the asked allocation is approved: the asked
    shares scaled down in proportion (whole fen, summing to `amount`), so no item refunds more
    than was asked of it. All of it approved: the allocation as asked."""
    ids = sorted(asked)
    shares = allocate(amount, [asked[i] for i in ids])
    return {i: share for i, share in zip(ids, shares, strict=True) if share}


def _restart_clock(tx: Tx, settings: Settings, order: Record, refund_id: int) -> None:
    """The order's own clock (auto-confirm after shipping, completion after the after-sales
    window) may have struck while the refund was open and found nothing to do: set it again for
    the state the order went back to, under a job id of this refund (arq refuses an id it has
    seen). Due at once when the deadline has passed; the job re-checks it either way."""
    if order["status"] == Status.SHIPPED:
        function = "auto_confirm_order"
        job_id = f"auto-confirm:{order['id']}:after-refund:{refund_id}"
        due = order["shipped_at"] + settings.auto_confirm_after
    elif order["status"] == Status.RECEIVED:
        function, job_id = "complete_order", f"complete:{order['id']}:after-refund:{refund_id}"
        due = order["after_sales_until"]
    else:
        return
    tx.after_commit(lambda: queue.enqueue(function, order["id"], job_id=job_id, defer_until=due))


async def approve_refund(
    settings: Settings,
    hooks: OrderHooks,
    refund_id: int,
    actor: Actor,
    amount: int | None = None,
    reason: str = "",
) -> OrderOut:
    """Refund what was asked, or less (`amount`, a partial refund agreed with the buyer: then a
    `reason` is required, and shown to the buyer). The buyer may ask again for what is left."""
    reason = reason.strip()
    async with db.transaction() as tx:
        conn = tx.conn
        order, refund = await _lock_open_refund(conn, refund_id, actor, Action.APPROVE_REFUND)
        asked = {int(k): v for k, v in json.loads(refund["allocation"]).items()}
        amount = refund["amount"] if amount is None else amount
        if amount > refund["amount"]:
            raise too_large(amount, refund["amount"])
        if amount < refund["amount"] and not reason:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                detail="say why less than the buyer asked for is refunded (reason)",
                field="reason",
            )
        allocation = granted(asked, amount)
        await conn.executemany(
            "UPDATE order_items SET refunded_amount = refunded_amount + $2 WHERE id = $1",
            list(allocation.items()),
        )
        await conn.execute(
            "UPDATE refunds SET status = 'approved', decided_at = now(), decided_by_id = $2,"
            " requested_amount = amount, amount = $3, allocation = $4, decision_reason = $5"
            " WHERE id = $1",
            refund_id,
            actor.id,
            amount,
            json.dumps({str(k): v for k, v in allocation.items()}),
            reason,
        )
        refunded = order["refunded_amount"] + amount
        fully = refunded == order["pay_amount"]
        after = Status.REFUNDED if fully else Status(order["status_before_refund"])
        updated = await conn.fetchrow(
            "UPDATE orders SET refunded_amount = $2, status = $3, status_before_refund = NULL"
            " WHERE id = $1 RETURNING *",
            order["id"],
            refunded,
            after.value,
        )
        payment = await conn.fetchrow(
            "SELECT * FROM payments WHERE order_id = $1 AND status = 'succeeded'"
            " ORDER BY paid_at DESC LIMIT 1 FOR UPDATE",
            order["id"],
        )
        if payment is None:
            raise ValueError(f"order {order['id']} is being refunded but has no succeeded payment")
        if fully and order["status_before_refund"] == Status.PAID:
            # Nothing was shipped: the goods are still on the shelf. SKU rows before the ledger's
            # accounts (the lock order, catalog/locks.py): the host's escrow is held shortest.
            await restock(conn, order["id"])
        escrow = await escrow_holding(conn, order)
        await payments.refund_payment(conn, payment, amount, str(refund_id), escrow)
        for reaction in hooks.refunded:
            await reaction(tx, updated, allocation)
        _restart_clock(tx, settings, updated, refund_id)
        return await order_out(conn, order["id"])


async def reject_refund(
    settings: Settings, refund_id: int, actor: Actor, reason: str = ""
) -> OrderOut:
    """Refuse the request; the `reason` is shown to the buyer, and the order goes back to where
    it was."""
    async with db.transaction() as tx:
        conn = tx.conn
        order, _ = await _lock_open_refund(conn, refund_id, actor, Action.REJECT_REFUND)
        await conn.execute(
            "UPDATE refunds SET status = 'rejected', decided_at = now(), decided_by_id = $2,"
            " decision_reason = $3 WHERE id = $1",
            refund_id,
            actor.id,
            reason.strip(),
        )
        updated = await conn.fetchrow(
            "UPDATE orders SET status = status_before_refund, status_before_refund = NULL"
            " WHERE id = $1 RETURNING *",
            order["id"],
        )
        _restart_clock(tx, settings, updated, refund_id)
        return await order_out(conn, order["id"])
