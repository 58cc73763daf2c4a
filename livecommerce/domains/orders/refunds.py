"""Refunds: the buyer asks, the host (or an admin) approves or rejects; money goes back the way
it came.

A refund is spread over the order's items (all of it on one item, or in proportion to
what each item still holds), so commissions can be reversed pro rata per item.
"""

from __future__ import annotations

import json

from asyncpg import Connection, Record
from asyncpg.exceptions import UniqueViolationError

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.lifecycle import lock_order, parties, restock
from livecommerce.domains.orders.queries import order_out
from livecommerce.domains.orders.rules import Action, Status, allocate, ensure_transition
from livecommerce.domains.orders.schemas import OrderOut, RequestRefund
from livecommerce.domains.payments import services as payments
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode


def _too_large(amount: int, left: int) -> DomainError:
    return DomainError(
        ErrorCode.REFUND_TOO_LARGE,
        detail=f"{amount} fen asked, {left} fen can still be refunded",
        refundable=left,
    )


async def request_refund(order_id: int, actor: Actor, data: RequestRefund) -> OrderOut:
    async with db.transaction() as tx:
        conn = tx.conn
        order = await lock_order(conn, order_id)
        target = ensure_transition(order["status"], Action.REQUEST_REFUND, parties(actor, order))
        if target is None:
            raise ValueError("a refund request always leads to refunding")
        items = await conn.fetch(
            "SELECT id, paid_amount - refunded_amount AS left FROM order_items"
            " WHERE order_id = $1 ORDER BY id",
            order_id,
        )
        refundable = order["pay_amount"] - order["refunded_amount"]
        if data.item_id is not None:
            item = next((row for row in items if row["id"] == data.item_id), None)
            if item is None:
                raise DomainError(
                    ErrorCode.NOT_FOUND,
                    detail=f"order {order_id} has no item {data.item_id}",
                )
            amount = data.amount or item["left"]
            if amount > item["left"]:
                raise _too_large(amount, item["left"])
            allocation = {str(item["id"]): amount}
        else:
            amount = data.amount or refundable
            if amount > refundable:
                raise _too_large(amount, refundable)
            shares = allocate(amount, [row["left"] for row in items])
            allocation = {
                str(row["id"]): share for row, share in zip(items, shares, strict=True) if share
            }
        if amount <= 0:
            raise _too_large(amount, refundable)
        try:
            await conn.execute(
                "INSERT INTO refunds (order_id, amount, reason, status, allocation, created_at)"
                " VALUES ($1, $2, $3, 'requested', $4, now())",
                order_id,
                amount,
                data.reason,
                json.dumps(allocation),
            )
        except UniqueViolationError:
            raise DomainError(
                ErrorCode.ILLEGAL_TRANSITION,
                detail="a refund of this order is already open",
            ) from None
        await conn.execute(
            "UPDATE orders SET status_before_refund = status, status = $2 WHERE id = $1",
            order_id,
            target.value,
        )
        return await order_out(conn, order_id)


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


async def approve_refund(hooks: OrderHooks, refund_id: int, actor: Actor) -> OrderOut:
    async with db.transaction() as tx:
        conn = tx.conn
        order, refund = await _lock_open_refund(conn, refund_id, actor, Action.APPROVE_REFUND)
        allocation = {int(k): v for k, v in json.loads(refund["allocation"]).items()}
        await conn.executemany(
            "UPDATE order_items SET refunded_amount = refunded_amount + $2 WHERE id = $1",
            list(allocation.items()),
        )
        await conn.execute(
            "UPDATE refunds SET status = 'approved', decided_at = now(), decided_by_id = $2"
            " WHERE id = $1",
            refund_id,
            actor.id,
        )
        refunded = order["refunded_amount"] + refund["amount"]
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
        escrow = await ledger.account_id(conn, order["host_id"], Kind.ESCROW)
        await payments.refund_payment(conn, payment, refund["amount"], str(refund_id), escrow)
        for reaction in hooks.refunded:
            await reaction(tx, updated, allocation)
        return await order_out(conn, order["id"])


async def reject_refund(refund_id: int, actor: Actor) -> OrderOut:
    async with db.transaction() as tx:
        conn = tx.conn
        order, _ = await _lock_open_refund(conn, refund_id, actor, Action.REJECT_REFUND)
        await conn.execute(
            "UPDATE refunds SET status = 'rejected', decided_at = now(), decided_by_id = $2"
            " WHERE id = $1",
            refund_id,
            actor.id,
        )
        await conn.execute(
            "UPDATE orders SET status = status_before_refund, status_before_refund = NULL"
            " WHERE id = $1",
            order["id"],
        )
        return await order_out(conn, order["id"])
