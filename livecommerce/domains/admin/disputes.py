"""Refunds in dispute: what the operator decides for buyers and hosts.

The list holds the orders a buyer took to the platform (orders/escalations.py) and the refunds
hosts rejected lately (the buyer may still escalate, or complain another way). Granting refunds
the buyer, audited as `refund.dispute` and closing the open escalation in the same transaction:

- a completed order through the dispute refund (orders/disputes.py: out of the host's
  receivable, commissions reversed by the clawback policy, the platform's fee given back);
- an order still in its after-sales window as the admin party of the ordinary refund (opened
  and approved at once, orders/after_sales.py and orders/refunds.py): out of the escrow, as if
  the host had approved it.

Either is keyed by an Idempotency-Key: a retry or a double click refunds once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

import msgspec
from asyncpg import Record

from livecommerce.domains.orders import after_sales, disputes, escalations, idempotency, refunds
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.rules import Status
from livecommerce.domains.orders.schemas import RequestRefund
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.schema import Out
from livecommerce.settings import Settings

View = Literal["open", "rejected", "all"]
_LIMIT = 100
_GRANTABLE = {Status.PAID, Status.SHIPPED, Status.RECEIVED, Status.COMPLETED}


class RejectedRefund(Out):
    id: int
    amount: int
    reason: str
    reason_code: str
    decision_reason: str  # the host's, as the buyer saw it
    decided_at: datetime | None


class DisputeItem(Out):
    order_id: int
    order_status: str
    buyer_id: int
    buyer_name: str
    host_id: int
    host_name: str
    pay_amount: int
    refunded_amount: int
    refundable: int
    grantable: bool  # an operator's refund is possible now (paid, shipped, received, completed)
    rejected_refund: RejectedRefund | None
    escalation: escalations.EscalationOut | None
    last_activity: datetime


class DisputePage(Out):
    items: list[DisputeItem]
    days: int
    open_count: int


# The orders with an escalation (open, or decided within the window) or a refund their host
# rejected within the window; each with its latest escalation and latest rejection.
_LIST = """
WITH rejected AS (
  SELECT DISTINCT ON (order_id) * FROM refunds
  WHERE status = 'rejected' AND decided_at >= $1
  ORDER BY order_id, decided_at DESC
), escalated AS (
  SELECT DISTINCT ON (order_id) * FROM order_escalations
  WHERE status = 'open' OR created_at >= $1 OR decided_at >= $1
  ORDER BY order_id, id DESC
)
SELECT o.id, o.status, o.buyer_id, o.host_id, o.pay_amount, o.refunded_amount,
  b.display_name AS buyer_name, h.display_name AS host_name,
  r.id AS r_id, r.amount AS r_amount, r.reason AS r_reason, r.reason_code AS r_reason_code,
  r.decision_reason AS r_decision_reason, r.decided_at AS r_decided_at,
  e.id AS e_id, e.status AS e_status, e.reason AS e_reason, e.refund_id AS e_refund_id,
  e.decision_reason AS e_decision_reason, e.granted_refund_id AS e_granted_refund_id,
  e.created_at AS e_created_at, e.decided_at AS e_decided_at,
  GREATEST(r.decided_at, e.created_at, e.decided_at) AS last_activity
FROM orders o
LEFT JOIN rejected r ON r.order_id = o.id
LEFT JOIN escalated e ON e.order_id = o.id
JOIN users b ON b.id = o.buyer_id
JOIN users h ON h.id = o.host_id
WHERE (r.id IS NOT NULL OR e.id IS NOT NULL)
  AND ($2 = 'all' OR ($2 = 'open' AND e.status = 'open')
       OR ($2 = 'rejected' AND r.id IS NOT NULL AND e.id IS NULL))
ORDER BY (e.status = 'open') DESC NULLS LAST, last_activity DESC, o.id DESC
LIMIT $3
"""


def _item(row: Record) -> DisputeItem:
    rejected = (
        RejectedRefund(
            id=row["r_id"],
            amount=row["r_amount"],
            reason=row["r_reason"],
            reason_code=row["r_reason_code"],
            decision_reason=row["r_decision_reason"],
            decided_at=row["r_decided_at"],
        )
        if row["r_id"] is not None
        else None
    )
    escalation = (
        escalations.EscalationOut(
            id=row["e_id"],
            order_id=row["id"],
            status=row["e_status"],
            reason=row["e_reason"],
            refund_id=row["e_refund_id"],
            decision_reason=row["e_decision_reason"],
            granted_refund_id=row["e_granted_refund_id"],
            created_at=row["e_created_at"],
            decided_at=row["e_decided_at"],
        )
        if row["e_id"] is not None
        else None
    )
    refundable = row["pay_amount"] - row["refunded_amount"]
    return DisputeItem(
        order_id=row["id"],
        order_status=row["status"],
        buyer_id=row["buyer_id"],
        buyer_name=row["buyer_name"],
        host_id=row["host_id"],
        host_name=row["host_name"],
        pay_amount=row["pay_amount"],
        refunded_amount=row["refunded_amount"],
        refundable=refundable,
        grantable=row["status"] in _GRANTABLE and refundable > 0,
        rejected_refund=rejected,
        escalation=escalation,
        last_activity=row["last_activity"],
    )


async def listed(days: int, view: View) -> DisputePage:
    async with db.connection() as conn:
        since = await conn.fetchval("SELECT now()") - timedelta(days=days)
        rows = await conn.fetch(_LIST, since, view, _LIMIT)
        open_count = await conn.fetchval(
            "SELECT count(*) FROM order_escalations WHERE status = 'open'"
        )
    return DisputePage(items=[_item(row) for row in rows], days=days, open_count=int(open_count))


class _Keyed(msgspec.Struct, frozen=True):
    order_id: int
    amount: int
    reason: str


async def grant(
    settings: Settings,
    hooks: OrderHooks,
    order_id: int,
    actor: Actor,
    data: disputes.DisputeRefund,
    idempotency_key: str,
) -> tuple[int, bytes, bool]:
    """Refund the buyer `data.amount`; (status, the order's JSON, replayed)."""
    reason = data.reason.strip()
    if not reason:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, detail="say why the buyer is refunded", field="reason"
        )
    async with db.connection() as conn:
        status = await conn.fetchval("SELECT status FROM orders WHERE id = $1", order_id)
    if status is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no order {order_id}")
    if status == Status.COMPLETED:
        # Re-checked under the order's lock there: a state that moved meanwhile is a 409.
        return await disputes.dispute_refund(
            settings,
            hooks,
            order_id,
            actor,
            disputes.DisputeRefund(amount=data.amount, reason=reason),
            idempotency_key,
        )
    # Before completion: one transaction around the ordinary refund's two steps (they join it).
    async with db.transaction() as tx:
        conn = tx.conn
        digest = idempotency.request_hash(_Keyed(order_id, data.amount, reason))
        stored = await idempotency.claim(
            conn, actor.id, idempotency_key, digest, settings.idempotency_ttl_hours
        )
        if stored is not None:
            return stored.status, stored.body, True
        before = await conn.fetchrow("SELECT * FROM orders WHERE id = $1 FOR UPDATE", order_id)
        if before is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no order {order_id}")
        opened = await after_sales.request_refund(
            order_id, actor, RequestRefund(amount=data.amount, reason=reason, reason_code="other")
        )
        out = await refunds.approve_refund(settings, hooks, opened.refund.id, actor, reason=reason)
        after = await conn.fetchrow("SELECT * FROM orders WHERE id = $1", order_id)
        if after is None:
            raise RuntimeError(f"order {order_id} vanished inside its own transaction")
        await escalations.close_granted(conn, order_id, opened.refund.id, actor.id)
        await escalations.audit_refund(
            conn, actor.id, before, after, opened.refund.id, data.amount, reason
        )
        body = msgspec.json.encode(out)
        await idempotency.remember(conn, actor.id, idempotency_key, 201, body)
    return 201, body, False
