"""Refunds after completion: a later dispute (投诉/仲裁) an operator decides for the buyer.

Before completion the buyer asks and the host decides (after_sales.py, refunds.py). Once the
after-sales window closed and the order completed, the takings sit in the host's receivable and
the commissions are due or already in wallets; only an operator may then refund, with a reason,
at most what is left, under an Idempotency-Key (a retry or a double submit refunds once). In one
transaction:

- the refund is spread over the items in proportion to what each still holds, and recorded as an
  approved refund (`reason_code` "dispute") with the operator, the time and the reason: the
  audit row, as every operator decision here records who, when and why;
- `hooks.refunded` reverse the commissions pro rata (distribution: due ones come back from the
  clearing account, settled ones are clawed back from wallets by the operator's policy), into
  the host's receivable;
- the platform gives back its fee on the refunded part (revenue -> receivable): it keeps a fee
  only on what the buyer kept;
- the buyer is paid back the way they paid, out of the host's receivable. When the receivable
  can't cover it, it goes below zero: the platform fronts the buyer's money and the host's next
  takings repay it before anything can be paid out (a payout needs a balance that covers it).
"""

from __future__ import annotations

import json
from typing import Annotated

import msgspec
from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.orders import escalations, idempotency, prizes
from livecommerce.domains.orders.after_sales import too_large
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.lifecycle import lock_order, parties
from livecommerce.domains.orders.queries import order_out
from livecommerce.domains.orders.rules import Action, Status, allocate, ensure_transition
from livecommerce.domains.payments import services as payments
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.schema import In
from livecommerce.settings import Settings

REASON_CODE = "dispute"


class DisputeRefund(In, frozen=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=100_000_000_000)]  # fen
    # Why (shown to the buyer with the refund, kept as the audit's reason).
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class _Keyed(msgspec.Struct, frozen=True):
    """What an Idempotency-Key stands for: the same body for another order is another request."""

    order_id: int
    amount: int
    reason: str


def fee_back(net: int, refunded: int, fee_bp: int) -> int:
    """The platform fee given back when `refunded` of a completed order's `net` goes back: the
    fee on what was kept is what remains charged (so repeated refunds add up exactly)."""
    return net * fee_bp // 10_000 - (net - refunded) * fee_bp // 10_000


async def _spread(conn: Connection, order_id: int, amount: int) -> dict[int, int]:
    """{item: fen} of `amount` in proportion to what each item still holds."""
    rows = await conn.fetch(
        "SELECT id, paid_amount - refunded_amount AS left FROM order_items"
        " WHERE order_id = $1 ORDER BY id",
        order_id,
    )
    shares = allocate(amount, [row["left"] for row in rows])
    return {row["id"]: share for row, share in zip(rows, shares, strict=True) if share}


async def _record(
    conn: Connection,
    order: Record,
    actor: Actor,
    amount: int,
    reason: str,
    spread: dict[int, int],
) -> int:
    await conn.executemany(
        "UPDATE order_items SET refunded_amount = refunded_amount + $2 WHERE id = $1",
        list(spread.items()),
    )
    refund_id = await conn.fetchval(
        "INSERT INTO refunds (order_id, amount, reason, status, allocation, created_at,"
        " decided_at, decided_by_id, decision_reason, reason_code, quantities, photos)"
        " VALUES ($1, $2, '', 'approved', $3, now(), now(), $4, $5, $6, '{}', '{}')"
        " RETURNING id",
        order["id"],
        amount,
        json.dumps({str(k): v for k, v in spread.items()}),
        actor.id,
        reason,
        REASON_CODE,
    )
    return int(refund_id)


async def dispute_refund(
    settings: Settings,
    hooks: OrderHooks,
    order_id: int,
    actor: Actor,
    data: DisputeRefund,
    idempotency_key: str,
) -> tuple[int, bytes, bool]:
    """Refund `data.amount` of a completed order; returns (status, JSON body, replayed)."""
    reason = data.reason.strip()
    if not reason:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, detail="say why the buyer is refunded", field="reason"
        )
    digest = idempotency.request_hash(_Keyed(order_id, data.amount, reason))
    async with db.transaction() as tx:
        conn = tx.conn
        stored = await idempotency.claim(
            conn, actor.id, idempotency_key, digest, settings.idempotency_ttl_hours
        )
        if stored is not None:
            return stored.status, stored.body, True
        # The lock order: the order, its payment, then (the reactions) commissions, then accounts.
        order = await lock_order(conn, order_id)
        ensure_transition(order["status"], Action.DISPUTE_REFUND, parties(actor, order))
        prizes.ensure_refundable(order)
        net = order["pay_amount"] - order["refunded_amount"]
        if data.amount > net:
            raise too_large(data.amount, net)
        payment = await conn.fetchrow(
            "SELECT * FROM payments WHERE order_id = $1 AND status = 'succeeded'"
            " ORDER BY paid_at DESC LIMIT 1 FOR UPDATE",
            order_id,
        )
        if payment is None:
            raise ValueError(f"completed order {order_id} has no succeeded payment")
        spread = await _spread(conn, order_id, data.amount)
        refund_id = await _record(conn, order, actor, data.amount, reason, spread)
        after = Status.REFUNDED if data.amount == net else Status.COMPLETED
        updated = await conn.fetchrow(
            "UPDATE orders SET refunded_amount = refunded_amount + $2, status = $3"
            " WHERE id = $1 RETURNING *",
            order_id,
            data.amount,
            after.value,
        )
        for reaction in hooks.refunded:
            await reaction(tx, updated, spread)
        receivable = await ledger.account_id(conn, order["host_id"], Kind.RECEIVABLE)
        back = fee_back(net, data.amount, settings.platform_fee_bp)
        if back:
            revenue = await ledger.account_id(conn, None, Kind.REVENUE)
            await ledger.post(
                conn,
                f"dispute:{refund_id}:fee",
                "fee_return",
                [(revenue, -back), (receivable, back)],
            )
        if await ledger.lock_balance(conn, receivable) < data.amount:
            await ledger.allow_negative(conn, receivable)  # the platform fronts the shortfall
        await payments.refund_payment(
            conn, payment, data.amount, f"dispute:{refund_id}", receivable
        )
        # The operator's decision and its audit row commit with the refund, or not at all.
        await escalations.close_granted(conn, order_id, refund_id, actor.id)
        await escalations.audit_refund(
            conn, actor.id, order, updated, refund_id, data.amount, reason
        )
        body = msgspec.json.encode(await order_out(conn, order_id))
        await idempotency.remember(conn, actor.id, idempotency_key, 201, body)
    return 201, body, False
