"""The buyer takes an after-sales matter to the platform (申请平台介入), and the operator's answer.

A buyer may escalate an order of theirs once the host rejected a refund (for 15 days after the
rejection) or while the order is still in its after-sales window (paid, shipped, or received and
the window not closed). One escalation is open per order at a time (a partial unique index). An
operator grants it with a refund (orders/disputes.py after completion, an admin refund before:
domains/admin/disputes.py), which closes it as granted in the refund's own transaction, or
dismisses it with a reason the buyer sees; both are audited there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec
from asyncpg import Connection, Record
from asyncpg.exceptions import UniqueViolationError

from livecommerce.domains.orders.lifecycle import lock_order, parties
from livecommerce.domains.orders.rules import Party, Status
from livecommerce.infra import audit, db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.schema import In, Out

AFTER_REJECTION = timedelta(days=15)
# Before receipt the after-sales window has not even started: a buyer may complain then too.
_BEFORE_RECEIPT = {Status.PAID, Status.SHIPPED}


class Escalate(In, frozen=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class DismissEscalation(In, frozen=True):
    # Shown to the buyer, kept as the audit's reason.
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class EscalationOut(Out):
    id: int
    order_id: int
    status: str  # open | granted | dismissed
    reason: str
    refund_id: int | None  # the host's rejected refund it contests
    decision_reason: str
    granted_refund_id: int | None
    created_at: datetime
    decided_at: datetime | None


def escalation_out(row: Record) -> EscalationOut:
    return EscalationOut(
        id=row["id"],
        order_id=row["order_id"],
        status=row["status"],
        reason=row["reason"],
        refund_id=row["refund_id"],
        decision_reason=row["decision_reason"],
        granted_refund_id=row["granted_refund_id"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
    )


def may_escalate(
    status: str, after_sales_until: datetime | None, rejected_at: datetime | None, now: datetime
) -> bool:
    """Whether an order in `status` may be escalated now: within its after-sales window, or
    within AFTER_REJECTION of the host's last rejection (then also once completed)."""
    if status in (Status.PENDING_PAYMENT, Status.CANCELLED, Status.REFUNDED, Status.REFUNDING):
        return False
    if rejected_at is not None and now < rejected_at + AFTER_REJECTION:
        return True
    if status in _BEFORE_RECEIPT:
        return True
    return status == Status.RECEIVED and after_sales_until is not None and now < after_sales_until


def _blank(field: str, what: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, detail=f"say {what}", field=field)


async def escalate(order_id: int, actor: Actor, data: Escalate) -> EscalationOut:
    reason = data.reason.strip()
    if not reason:
        raise _blank("reason", "what the platform should look at")
    async with db.transaction() as tx:
        conn = tx.conn
        order = await lock_order(conn, order_id)
        if Party.BUYER not in parties(actor, order):  # someone else's order is 404 there
            raise DomainError(ErrorCode.FORBIDDEN, detail="only the buyer escalates an order")
        if order["status"] == Status.REFUNDING:
            raise DomainError(
                ErrorCode.ILLEGAL_TRANSITION,
                detail="a refund request is open: the shop answers it first",
                currentStatus=order["status"],
            )
        rejected = await conn.fetchrow(
            "SELECT id, decided_at FROM refunds WHERE order_id = $1 AND status = 'rejected'"
            " ORDER BY decided_at DESC LIMIT 1",
            order_id,
        )
        now = await conn.fetchval("SELECT now()")
        rejected_at = rejected["decided_at"] if rejected else None
        if not may_escalate(order["status"], order["after_sales_until"], rejected_at, now):
            raise DomainError(
                ErrorCode.ILLEGAL_TRANSITION,
                detail="this order can no longer be taken to the platform: its after-sales"
                f" window closed and no refund was rejected in the last {AFTER_REJECTION.days}"
                " days",
                currentStatus=order["status"],
            )
        try:
            row = await conn.fetchrow(
                "INSERT INTO order_escalations (order_id, buyer_id, refund_id, reason, status,"
                " decision_reason, created_at) VALUES ($1, $2, $3, $4, 'open', '', now())"
                " RETURNING *",
                order_id,
                actor.id,
                rejected["id"] if rejected else None,
                reason,
            )
        except UniqueViolationError:
            raise DomainError(
                ErrorCode.CONFLICT, detail="this order is already with the platform"
            ) from None
    if row is None:
        raise RuntimeError("INSERT ... RETURNING gave no row")
    return escalation_out(row)


async def of_order(order_id: int, actor: Actor) -> list[EscalationOut]:
    """An order's escalations, newest first, for its buyer, its host or an operator."""
    async with db.connection() as conn:
        order = await conn.fetchrow("SELECT * FROM orders WHERE id = $1", order_id)
        if order is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no order {order_id}")
        parties(actor, order)
        rows = await conn.fetch(
            "SELECT * FROM order_escalations WHERE order_id = $1 ORDER BY id DESC", order_id
        )
    return [escalation_out(row) for row in rows]


async def close_granted(conn: Connection, order_id: int, refund_id: int, actor_id: int) -> None:
    """In an operator's refund's transaction: the order's open escalation, if any, is granted."""
    await conn.execute(
        "UPDATE order_escalations SET status = 'granted', granted_refund_id = $2,"
        " decided_at = now(), decided_by_id = $3 WHERE order_id = $1 AND status = 'open'",
        order_id,
        refund_id,
        actor_id,
    )


async def audit_refund(
    conn: Connection,
    actor_id: int,
    before: Record,
    after: Record,
    refund_id: int,
    amount: int,
    reason: str,
) -> None:
    """The audit row of an operator's refund (`refund.dispute`), in its transaction."""

    def state(order: Record) -> dict[str, Any]:
        return {"status": order["status"], "refundedAmount": order["refunded_amount"]}

    await audit.record(
        conn,
        actor_id,
        "refund.dispute",
        "order",
        before["id"],
        before=state(before),
        after={**state(after), "refundId": refund_id, "amount": amount},
        reason=reason,
    )


async def dismiss(escalation_id: int, actor: Actor, data: DismissEscalation) -> EscalationOut:
    """The operator finds for the host: closed with a reason the buyer sees, audited."""
    reason = data.reason.strip()
    if not reason:
        raise _blank("reason", "why the escalation is dismissed")
    async with db.transaction() as tx:
        conn = tx.conn
        row = await conn.fetchrow(
            "SELECT * FROM order_escalations WHERE id = $1 FOR UPDATE", escalation_id
        )
        if row is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no escalation {escalation_id}")
        if row["status"] != "open":
            raise DomainError(
                ErrorCode.ILLEGAL_TRANSITION,
                detail=f"escalation {escalation_id} is already {row['status']}",
                currentStatus=row["status"],
            )
        done = await conn.fetchrow(
            "UPDATE order_escalations SET status = 'dismissed', decision_reason = $2,"
            " decided_at = now(), decided_by_id = $3 WHERE id = $1 RETURNING *",
            escalation_id,
            reason,
            actor.id,
        )
        await audit.record(
            conn,
            actor.id,
            "escalation.dismiss",
            "escalation",
            escalation_id,
            before={"status": "open", "orderId": row["order_id"]},
            after={"status": "dismissed", "orderId": row["order_id"]},
            reason=reason,
        )
    if done is None:
        raise RuntimeError("UPDATE ... RETURNING gave no row")
    return escalation_out(done)
