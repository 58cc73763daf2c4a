"""An order's life after placement: pay, cancel, ship, confirm, complete. Each step is one
transaction that locks the order row, checks the transition table and moves money through
the ledger in the same transaction.

Lock order everywhere: the order row, then its payment rows, then ledger accounts by id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from asyncpg import Connection, Record

from livecommerce.domains.orders.queries import not_found, order_out
from livecommerce.domains.orders.rules import Action, Party, Status, ensure_transition, parties_of
from livecommerce.domains.orders.schemas import OrderOut, PaymentOut
from livecommerce.domains.payments import services as payments
from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.infra import db, queue
from livecommerce.infra.auth import Actor
from livecommerce.settings import Settings

# Hooks of other domains, run inside the transaction of the step.
OrderHook = Callable[[Connection, Record], Awaitable[None]]
ON_PAID: list[OrderHook] = []  # e.g. create pending commissions
ON_CANCELLED: list[OrderHook] = []  # e.g. release the coupon
# Who else is paid out of the order when it completes: returns (account id, fen) credits,
# taken from the host's share (e.g. distributors' commissions).
SettlementHook = Callable[[Connection, Record], Awaitable[list[tuple[int, int]]]]
ON_SETTLEMENT: list[SettlementHook] = []


async def lock_order(conn: Connection, order_id: int) -> Record:
    order = await conn.fetchrow("SELECT * FROM orders WHERE id = $1 FOR UPDATE", order_id)
    if order is None:
        raise not_found(order_id)
    return order


def parties(actor: Actor, order: Record) -> set[Party]:
    found = parties_of(
        actor.id, is_admin=actor.is_admin, buyer_id=order["buyer_id"], host_id=order["host_id"]
    )
    if not found:
        raise not_found(order["id"])  # someone else's order does not exist for you
    return found


async def start_payment(order_id: int, actor: Actor, method: str, provider_name: str) -> PaymentOut:
    """Pay from the wallet at once, or get (or reuse) a gateway payment and its pay page URL."""
    async with db.transaction() as tx:
        conn = tx.conn
        order = await lock_order(conn, order_id)
        ensure_transition(order["status"], Action.PAY, parties(actor, order) & {Party.BUYER})
        if method == "wallet":
            payment = await payments.create_payment(
                conn,
                user_id=order["buyer_id"],
                purpose="order",
                amount=order["pay_amount"],
                order_id=order_id,
                provider_name="wallet",
            )
            await payments.succeed(conn, payment, f"wallet_{payment['id']}")
            pay_url = ""
        else:
            payment = await conn.fetchrow(
                "SELECT * FROM payments WHERE order_id = $1 AND provider = $2 AND status = 'pending' AND amount = $3 ORDER BY id LIMIT 1",
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
            pay_url = payments.checkout_url(payment)
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


@payments.on_success("order")
async def _order_payment_succeeded(conn: Connection, payment: Record) -> None:
    """Money for an order came in: into the host's escrow. If the order can't take it
    (cancelled meanwhile, or paid already), it goes straight back the way it came."""
    order = await conn.fetchrow("SELECT * FROM orders WHERE id = $1", payment["order_id"])
    escrow = await ledger.account_id(conn, order["host_id"], Kind.ESCROW)
    if payment["provider"] == "wallet":
        source = await ledger.account_id(conn, payment["user_id"], Kind.WALLET)
    else:
        source = await ledger.account_id(conn, None, Kind.GATEWAY)
    paid = await conn.fetchrow(
        "UPDATE orders SET status = 'paid', paid_at = now(), payment_method = $2"
        " WHERE id = $1 AND status = 'pending_payment' AND pay_amount = $3 RETURNING *",
        order["id"],
        payment["provider"],
        payment["amount"],
    )
    # The escrow row is every buyer's of this host: lock it last, so it is held for the shortest time.
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
    for hook in ON_PAID:
        await hook(conn, paid)


async def _restock(conn: Connection, order_id: int) -> None:
    await conn.execute(
        "UPDATE skus s SET stock = s.stock + i.quantity, sold = s.sold - i.quantity"
        " FROM order_items i WHERE i.order_id = $1 AND s.id = i.sku_id",
        order_id,
    )


async def cancel(order_id: int, who: set[Party] | Actor, reason: str) -> OrderOut | None:
    """Cancel an unpaid order: stock and coupon released, pending payments closed.

    For the system (the payment-timeout job) it only happens past the deadline, and a
    second run finds nothing to do (returns None)."""
    async with db.transaction() as tx:
        conn = tx.conn
        order = await lock_order(conn, order_id)
        if isinstance(who, Actor):
            ensure_transition(order["status"], Action.CANCEL, parties(who, order))
        elif order["status"] != Status.PENDING_PAYMENT or not await conn.fetchval(
            "SELECT payment_deadline <= now() FROM orders WHERE id = $1", order_id
        ):
            return None
        await _restock(conn, order_id)
        cancelled = await conn.fetchrow(
            "UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = $2 WHERE id = $1 RETURNING *",
            order_id,
            reason,
        )
        await conn.execute(
            "UPDATE payments SET status = 'closed' WHERE order_id = $1 AND status = 'pending'",
            order_id,
        )
        for hook in ON_CANCELLED:
            await hook(conn, cancelled)
        return await order_out(conn, order_id)


async def ship(settings: Settings, order_id: int, actor: Actor, tracking_no: str) -> OrderOut:
    async with db.transaction() as tx:
        conn = tx.conn
        order = await lock_order(conn, order_id)
        ensure_transition(order["status"], Action.SHIP, parties(actor, order))
        shipped = await conn.fetchrow(
            "UPDATE orders SET status = 'shipped', shipped_at = now(), tracking_no = $2 WHERE id = $1 RETURNING shipped_at",
            order_id,
            tracking_no,
        )
        out = await order_out(conn, order_id)
    due = shipped["shipped_at"] + timedelta(days=settings.auto_confirm_days)
    await queue.enqueue(
        "auto_confirm_order", order_id, job_id=f"auto-confirm:{order_id}", defer_until=due
    )
    return out


async def confirm(settings: Settings, order_id: int, who: set[Party] | Actor) -> OrderOut | None:
    """Receipt confirmed (by the buyer, or by the system N days after shipping): the after-sales window opens."""
    async with db.transaction() as tx:
        conn = tx.conn
        order = await lock_order(conn, order_id)
        if isinstance(who, Actor):
            ensure_transition(order["status"], Action.CONFIRM, parties(who, order))
        elif order["status"] != Status.SHIPPED or not await conn.fetchval(
            "SELECT shipped_at + make_interval(days => $2) <= now() FROM orders WHERE id = $1",
            order_id,
            settings.auto_confirm_days,
        ):
            return None
        received = await conn.fetchrow(
            "UPDATE orders SET status = 'received', received_at = now(),"
            " after_sales_until = now() + make_interval(days => $2) WHERE id = $1 RETURNING after_sales_until",
            order_id,
            settings.after_sales_days,
        )
        out = await order_out(conn, order_id)
    await queue.enqueue(
        "complete_order",
        order_id,
        job_id=f"complete:{order_id}",
        defer_until=received["after_sales_until"],
    )
    return out


async def complete(settings: Settings, order_id: int, who: set[Party] | Actor) -> OrderOut | None:
    """After-sales window closed with no open refund: settle the escrow to the host (minus fee and commissions)."""
    async with db.transaction() as tx:
        conn = tx.conn
        order = await lock_order(conn, order_id)
        if isinstance(who, Actor):
            ensure_transition(order["status"], Action.COMPLETE, parties(who, order))
        elif order["status"] != Status.RECEIVED or not await conn.fetchval(
            "SELECT after_sales_until <= now() FROM orders WHERE id = $1", order_id
        ):
            return None
        completed = await conn.fetchrow(
            "UPDATE orders SET status = 'completed', completed_at = now() WHERE id = $1 RETURNING *",
            order_id,
        )
        net = completed["pay_amount"] - completed["refunded_amount"]
        if net > 0:
            fee = net * settings.platform_fee_bp // 10_000
            others: list[tuple[int, int]] = []
            for hook in ON_SETTLEMENT:
                others += await hook(conn, completed)
            host_share = net - fee - sum(amount for _, amount in others)
            legs = [
                (await ledger.account_id(conn, completed["host_id"], Kind.ESCROW), -net),
                (await ledger.account_id(conn, completed["host_id"], Kind.RECEIVABLE), host_share),
                (await ledger.account_id(conn, None, Kind.REVENUE), fee),
                *others,
            ]
            await ledger.post(
                conn, f"order:{order_id}:settle", "settlement", [leg for leg in legs if leg[1] != 0]
            )
        return await order_out(conn, order_id)
