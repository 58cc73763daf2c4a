"""An order's life after placement: pay, cancel, ship, confirm, complete. Each step is one
transaction that locks the order row, takes its target state from the transition table (for a
person and for the system alike), moves money through the ledger and runs the other domains'
reactions (`OrderHooks`) in the same transaction; jobs and room events wait for COMMIT.

Lock order everywhere: the order row, then its payment rows, then (restocking) SKU rows by
ascending id (catalog/locks.py), then ledger accounts by id.
"""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.orders.escrow import escrow_holding, escrow_to_credit
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.queries import not_found, order_out
from livecommerce.domains.orders.rules import (
    Action,
    Party,
    Status,
    ensure_transition,
    parties_of,
    system_transition,
)
from livecommerce.domains.orders.schemas import OrderOut, PaymentOut
from livecommerce.domains.payments import services as payments
from livecommerce.domains.payments.hooks import PaymentHooks
from livecommerce.infra import db, queue
from livecommerce.infra.auth import Actor
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

# A step is taken by a person (their Actor: the table checks their party) or by the system
# (None: a payment callback or a job, which does nothing when the step is no longer due).
Who = Actor | None


async def lock_order(conn: Connection, order_id: int) -> Record:
    order = await conn.fetchrow("SELECT * FROM orders WHERE id = $1 FOR UPDATE", order_id)
    if order is None:
        raise not_found(order_id)
    return order


def ensure_not_held(order: Record) -> None:
    """A paid order a marketing tool holds back (`held_by`: a group buy still forming) neither
    ships nor takes an after-sales request until released (its group succeeds or refunds it)."""
    if order["held_by"] is not None:
        raise DomainError(
            ErrorCode.ORDER_HELD_BY_GROUP,
            detail=f"order {order['id']} waits for its group buy to fill (拼团中)",
            heldBy=order["held_by"],
        )


def parties(actor: Actor, order: Record) -> set[Party]:
    found = parties_of(
        actor.id, is_admin=actor.is_admin, buyer_id=order["buyer_id"], host_id=order["host_id"]
    )
    if not found:
        raise not_found(order["id"])  # someone else's order does not exist for you
    return found


async def begin(
    conn: Connection,
    order_id: int,
    action: Action,
    who: Who,
    *,
    due_sql: str | None = None,
    due_args: tuple[object, ...] = (),
) -> tuple[Record, Status] | None:
    """Lock the order and decide the step: (order, target state), or None when the system finds
    nothing to do. A person gets 403/404/409 from the table; the system is also held to
    `due_sql`, a condition on the order row written in this module (never input), with
    `due_args` as its parameters from $2 on (e.g. its deadline has passed)."""
    order = await lock_order(conn, order_id)
    if who is not None:
        target = ensure_transition(order["status"], action, parties(who, order))
    else:
        target = system_transition(order["status"], action)
        if target is not None and due_sql is not None:
            sql = f"SELECT {due_sql} FROM orders WHERE id = $1"
            target = target if await conn.fetchval(sql, order_id, *due_args) else None
    if target is None:
        if who is not None:
            raise ValueError(f"{action} has no fixed target state")
        return None
    return order, target


async def start_payment(
    settings: Settings,
    hooks: PaymentHooks,
    order_id: int,
    actor: Actor,
    method: str,
    provider_name: str,
) -> PaymentOut:
    """Pay from the wallet at once, or get (or reuse) a gateway payment and its pay page URL."""
    async with db.transaction() as tx:
        conn = tx.conn
        order = await lock_order(conn, order_id)
        ensure_transition(order["status"], Action.PAY, parties(actor, order) & {Party.BUYER})
        if method == "wallet":
            payment = await pay_from_wallet(tx, hooks, order)
            pay_url = ""
        else:
            payment = await conn.fetchrow(
                "SELECT * FROM payments WHERE order_id = $1 AND provider = $2"
                " AND status = 'pending' AND amount = $3 ORDER BY id LIMIT 1",
                order_id,
                provider_name,
                order["pay_amount"],
            ) or await payments.create_payment(
                conn,
                user_id=order["buyer_id"],
                purpose="order",
                amount=order["pay_amount"],
                order_id=order_id,
                provider_name=provider_name,
            )
            pay_url = payments.checkout_url(payment, settings.base_url)
    # Read back after COMMIT: the host's escrow row stays locked no longer than the writes need.
    async with db.connection() as conn:
        status = await conn.fetchval("SELECT status FROM payments WHERE id = $1", payment["id"])
        return PaymentOut(
            payment_id=payment["id"],
            status=status,
            amount=payment["amount"],
            provider=payment["provider"],
            pay_url=pay_url,
            order=await order_out(conn, order_id),
        )


async def pay_from_wallet(tx: Tx, hooks: PaymentHooks, order: Record) -> Record:
    """The order's whole pay_amount from its buyer's wallet, done at once in the caller's
    transaction, which holds the order's row (locked, or inserted and not yet seen by anyone).
    409 insufficient_balance rolls the caller back."""
    payment = await payments.create_payment(
        tx.conn,
        user_id=order["buyer_id"],
        purpose="order",
        amount=order["pay_amount"],
        order_id=order["id"],
        provider_name="wallet",
    )
    await payments.succeed(tx, hooks, payment, f"wallet_{payment['id']}")
    return payment


async def lock_for_payment(conn: Connection, payment: Record) -> None:
    """PaymentHooks.lock_first["order"]: the order's row before its payment's (the lock order)."""
    if payment["order_id"] is not None:
        await lock_order(conn, payment["order_id"])


async def order_payment_succeeded(hooks: OrderHooks, tx: Tx, payment: Record) -> None:
    """Money for an order came in: into the host's escrow, and the order is paid. If the order
    can't take it (cancelled meanwhile, or paid already), it goes straight back the way it came.
    Runs under the order's row lock, taken by the payment's confirmation."""
    conn = tx.conn
    order = await conn.fetchrow("SELECT * FROM orders WHERE id = $1", payment["order_id"])
    if order is None:
        raise ValueError(f"payment {payment['id']} names no order")
    # The order's own bucket of the host's escrow: buyers of one host lock different rows.
    escrow = await escrow_to_credit(conn, order)
    if payment["provider"] == "wallet":
        source = await ledger.account_id(conn, payment["user_id"], Kind.WALLET)
    else:
        source = await ledger.account_id(conn, None, Kind.GATEWAY)
    target = system_transition(order["status"], Action.PAY)
    paid = None
    if target is not None and order["pay_amount"] == payment["amount"]:
        paid = await conn.fetchrow(
            "UPDATE orders SET status = $2, paid_at = now(), payment_method = $3"
            " WHERE id = $1 RETURNING *",
            order["id"],
            target.value,
            payment["provider"],
        )
    # The escrow bucket is shared with the host's other orders of its bucket: lock it last, so
    # it is held for the shortest time.
    await ledger.post(
        conn,
        f"payment:{payment['id']}",
        "payment",
        [(source, -payment["amount"]), (escrow, payment["amount"])],
    )
    if paid is None:
        await payments.refund_payment(
            conn, payment, payment["amount"], f"payment:{payment['id']}:return", escrow
        )
        return
    for reaction in hooks.paid:
        await reaction(tx, paid)


async def restock(conn: Connection, order_id: int) -> None:
    """Put an order's units back on the shelf (cancelled unpaid, or refunded before shipping).

    The SKU rows are locked by ascending id first (catalog/locks.py), as placing an order takes
    them: an UPDATE ... FROM would lock them in whatever order its join yields. Items whose units
    were reserved beforehand (a flash sale's) go back to their reservation through the order's
    hooks instead."""
    await conn.execute(
        "SELECT s.id FROM skus s JOIN order_items i ON i.sku_id = s.id WHERE i.order_id = $1"
        " AND NOT i.stock_reserved ORDER BY s.id FOR NO KEY UPDATE OF s",
        order_id,
    )
    await conn.execute(
        "UPDATE skus s SET stock = s.stock + i.quantity, sold = s.sold - i.quantity"
        " FROM order_items i WHERE i.order_id = $1 AND s.id = i.sku_id AND NOT i.stock_reserved",
        order_id,
    )


async def cancel(hooks: OrderHooks, order_id: int, who: Who, reason: str) -> OrderOut | None:
    """Cancel an unpaid order: stock and coupon released, pending payments closed.

    For the system (the payment-timeout job) it only happens past the deadline, and a
    second run finds nothing to do (returns None)."""
    async with db.transaction() as tx:
        conn = tx.conn
        step = await begin(conn, order_id, Action.CANCEL, who, due_sql="payment_deadline <= now()")
        if step is None:
            return None
        _, target = step
        # The lock order: the order's payment rows, then its SKUs.
        await conn.execute(
            "UPDATE payments SET status = 'closed' WHERE order_id = $1 AND status = 'pending'",
            order_id,
        )
        await restock(conn, order_id)
        cancelled = await conn.fetchrow(
            "UPDATE orders SET status = $3, cancelled_at = now(), cancel_reason = $2"
            " WHERE id = $1 RETURNING *",
            order_id,
            reason,
            target.value,
        )
        for reaction in hooks.cancelled:
            await reaction(tx, cancelled)
        return await order_out(conn, order_id)


async def ship(
    settings: Settings, order_id: int, actor: Actor, tracking_no: str, carrier: str | None = None
) -> OrderOut:
    async with db.transaction() as tx:
        conn = tx.conn
        step = await begin(conn, order_id, Action.SHIP, actor)
        if step is None:
            raise ValueError("a person's step always has a target")
        ensure_not_held(step[0])
        shipped = await conn.fetchrow(
            "UPDATE orders SET status = $3, shipped_at = now(), tracking_no = $2, carrier = $4"
            " WHERE id = $1 RETURNING shipped_at",
            order_id,
            tracking_no,
            step[1].value,
            carrier,
        )
        due = shipped["shipped_at"] + settings.auto_confirm_after
        tx.after_commit(
            lambda: queue.enqueue(
                "auto_confirm_order", order_id, job_id=f"auto-confirm:{order_id}", defer_until=due
            )
        )
        return await order_out(conn, order_id)


async def confirm(settings: Settings, order_id: int, who: Who) -> OrderOut | None:
    """Receipt confirmed (by the buyer, or by the system N days after shipping): the after-sales
    window opens."""
    async with db.transaction() as tx:
        conn = tx.conn
        step = await begin(
            conn,
            order_id,
            Action.CONFIRM,
            who,
            due_sql="shipped_at + $2::interval <= now()",
            due_args=(settings.auto_confirm_after,),
        )
        if step is None:
            return None
        received = await conn.fetchrow(
            "UPDATE orders SET status = $3, received_at = now(),"
            " after_sales_until = now() + $2::interval WHERE id = $1"
            " RETURNING after_sales_until",
            order_id,
            settings.after_sales_window,
            step[1].value,
        )
        until = received["after_sales_until"]
        tx.after_commit(
            lambda: queue.enqueue(
                "complete_order", order_id, job_id=f"complete:{order_id}", defer_until=until
            )
        )
        return await order_out(conn, order_id)


async def complete(
    settings: Settings, hooks: OrderHooks, order_id: int, who: Who
) -> OrderOut | None:
    """After-sales window closed with no open refund: settle the escrow to the host (minus fee and
    commissions)."""
    async with db.transaction() as tx:
        conn = tx.conn
        step = await begin(
            conn, order_id, Action.COMPLETE, who, due_sql="after_sales_until <= now()"
        )
        if step is None:
            return None
        completed = await conn.fetchrow(
            "UPDATE orders SET status = $2, completed_at = now() WHERE id = $1 RETURNING *",
            order_id,
            step[1].value,
        )
        net = completed["pay_amount"] - completed["refunded_amount"]
        if net > 0:
            fee = net * settings.platform_fee_bp // 10_000
            others: list[tuple[int, int]] = []
            for reaction in hooks.completed:
                others += await reaction(tx, completed)
            host_share = net - fee - sum(amount for _, amount in others)
            legs = [
                (await escrow_holding(conn, completed), -net),
                (await ledger.account_id(conn, completed["host_id"], Kind.RECEIVABLE), host_share),
                (await ledger.account_id(conn, None, Kind.REVENUE), fee),
                *others,
            ]
            await ledger.post(
                conn, f"order:{order_id}:settle", "settlement", [leg for leg in legs if leg[1] != 0]
            )
        return await order_out(conn, order_id)
