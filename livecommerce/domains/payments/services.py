"""Payments: money in from a provider (or the wallet), applied exactly once, and refunds back
the way it came.

A callback is verified (HMAC), then applied under a row lock on the payment: the first
delivery flips it to succeeded and runs the purpose's handler (`PaymentHooks`: an order, a
top-up) in the same transaction; every later delivery finds it succeeded and changes nothing.

Dependencies point down: payments knows the ledger and its providers, never orders or the
wallet; they plug in through `PaymentHooks` (see livecommerce/wiring.py).
"""

from __future__ import annotations

from typing import Any

import structlog
from asyncpg import Connection, Record, UniqueViolationError

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.payments.hooks import PaymentHooks
from livecommerce.domains.payments.providers import (
    CallbackEvent,
    provider,
    sandbox,
    taking_payments,
)
from livecommerce.infra import db
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.observability import RECONCILE_SKIPPED, RECONCILED

log = structlog.get_logger("payments")


async def create_payment(
    conn: Connection,
    *,
    user_id: int,
    purpose: str,
    amount: int,
    order_id: int | None,
    provider_name: str,
) -> Record:
    if provider_name != "wallet":
        taking_payments(provider_name)  # a switched-off gateway (the sandbox in prod) takes none
    return await conn.fetchrow(
        "INSERT INTO payments"
        " (user_id, order_id, purpose, provider, amount, status, refunded_amount, created_at)"
        " VALUES ($1, $2, $3, $4, $5, 'pending', 0, now()) RETURNING *",
        user_id,
        order_id,
        purpose,
        provider_name,
        amount,
    )


def checkout_url(payment: Record | dict[str, Any], base_url: str) -> str:
    """Where the payer pays, as an absolute URL a client can open as it is (an app, a mail):
    a page of this site (the sandbox's) is put under `base_url` (settings.base_url, as share
    links are); a gateway's own page is absolute already."""
    url = taking_payments(payment["provider"]).checkout_url(payment["id"])
    return f"{base_url.rstrip('/')}{url}" if url.startswith("/") else url


async def succeed(tx: Tx, hooks: PaymentHooks, payment: Record, provider_ref: str) -> None:
    """Mark a locked pending payment succeeded and run its purpose's handler, in the caller's
    transaction."""
    conn = tx.conn
    updated = await conn.fetchrow(
        "UPDATE payments SET status = 'succeeded', provider_ref = $2, paid_at = now()"
        " WHERE id = $1 AND status IN ('pending', 'closed') RETURNING *",
        payment["id"],
        provider_ref,
    )
    if updated is None:
        return
    await hooks.succeeded[updated["purpose"]](tx, updated)


async def _audit(
    conn: Connection, provider_name: str, payment_id: int | None, outcome: str, detail: str = ""
) -> None:
    await conn.execute(
        "INSERT INTO payment_events (provider, payment_id, outcome, detail, created_at)"
        " VALUES ($1, $2, $3, $4, now())",
        provider_name,
        payment_id,
        outcome,
        detail[:300],
    )


async def _reject(provider_name: str, payment_id: int | None, error: DomainError) -> DomainError:
    log.warning(
        "payment_callback_rejected",
        provider=provider_name,
        payment_id=payment_id,
        code=error.code.value,
        detail=error.detail,
    )
    async with db.transaction() as tx:
        conn = tx.conn
        await _audit(conn, provider_name, payment_id, error.code.value, error.detail)
    return error


async def apply_callback(
    hooks: PaymentHooks, provider_name: str, headers: dict[str, str], body: bytes
) -> str:
    """Verify and apply a provider's callback. Returns `applied` or `duplicate`."""
    gateway = taking_payments(provider_name)
    try:
        event = gateway.verify_callback(headers, body)
    except DomainError as error:
        raise await _reject(provider_name, None, error) from None
    return await confirm(hooks, provider_name, event)


async def confirm(hooks: PaymentHooks, provider_name: str, event: CallbackEvent) -> str:
    """Apply a verified event of the provider (a callback, a query's answer, the sandbox's own
    charge): `applied` the first time, `duplicate` after. All or nothing: a refusal writes only
    its audit row."""
    try:
        return await _confirm(hooks, provider_name, event)
    except UniqueViolationError as exc:
        if "provider_ref_once" not in (exc.constraint_name or ""):
            raise
        # The provider's reference is another payment's: its transaction rolled back whole.
        error = DomainError(
            ErrorCode.PROVIDER_REF_REUSED,
            detail=f"{provider_name} reference {event.provider_ref!r} belongs to another payment",
        )
    raise await _reject(provider_name, event.payment_id, error)


async def _confirm(hooks: PaymentHooks, provider_name: str, event: CallbackEvent) -> str:
    async with db.transaction() as tx:
        conn = tx.conn
        # Lock order: what the payment is for (an order's row) before the payment row, as
        # cancelling an order does; the purpose says what that is.
        unlocked = await conn.fetchrow("SELECT * FROM payments WHERE id = $1", event.payment_id)
        lock_first = hooks.lock_first.get(unlocked["purpose"]) if unlocked else None
        if unlocked is not None and lock_first is not None:
            await lock_first(conn, unlocked)
        payment = await conn.fetchrow(
            "SELECT * FROM payments WHERE id = $1 AND provider = $2 FOR UPDATE",
            event.payment_id,
            provider_name,
        )
        if payment is None:
            error = DomainError(
                ErrorCode.PAYMENT_NOT_FOUND,
                detail=f"no {provider_name} payment {event.payment_id}",
            )
        elif event.status != "succeeded" or event.amount != payment["amount"]:
            error = DomainError(
                ErrorCode.AMOUNT_MISMATCH,
                detail=f"callback says {event.amount} fen ({event.status});"
                f" payment {payment['id']} is {payment['amount']} fen",
            )
        elif payment["status"] == "succeeded":
            await _audit(conn, provider_name, payment["id"], "duplicate")
            return "duplicate"
        else:
            await succeed(tx, hooks, payment, event.provider_ref)
            await _audit(conn, provider_name, payment["id"], "applied")
            return "applied"
    raise await _reject(provider_name, event.payment_id, error)


async def complete_in_sandbox(hooks: PaymentHooks, payment_id: int, payer_id: int) -> str:
    """The payer presses "pay" on the sandbox gateway's page: the gateway books the charge, then
    the shop confirms it in-process through `confirm`, the path every callback takes. Repeating
    it charges once and answers `duplicate`; if confirming fails after the charge is booked, the
    reconciler finds the charge by `query` and applies it."""
    taking_payments("sandbox")
    gateway = sandbox()
    async with db.transaction() as tx:
        conn = tx.conn
        payment = await conn.fetchrow(
            "SELECT id, amount FROM payments WHERE id = $1 AND provider = 'sandbox'"
            " AND user_id = $2",
            payment_id,
            payer_id,
        )
        if payment is None:  # someone else's payment does not exist for you
            raise DomainError(
                ErrorCode.PAYMENT_NOT_FOUND, detail=f"no sandbox payment {payment_id}"
            )
        event = await gateway.charge(conn, payment_id, payment["amount"])
    return await confirm(hooks, "sandbox", event)


async def refund_payment(
    conn: Connection, payment: Record, amount: int, key: str, debit_account: int
) -> None:
    """Send `amount` of a succeeded payment back the way it came, debiting `debit_account`
    (e.g. a host's escrow).

    Keyed: the same `key` refunds once however often it is called.
    """
    legs_credit: int
    if payment["provider"] == "wallet":
        legs_credit = await ledger.account_id(conn, payment["user_id"], Kind.WALLET)
    else:
        legs_credit = await ledger.account_id(conn, None, Kind.GATEWAY)
    txn = await ledger.post(
        conn, f"refund:{key}", "refund", [(debit_account, -amount), (legs_credit, amount)]
    )
    if txn is None:
        return  # this refund already happened
    moved = await conn.fetchval(
        "UPDATE payments SET refunded_amount = refunded_amount + $2"
        " WHERE id = $1 AND refunded_amount + $2 <= amount RETURNING id",
        payment["id"],
        amount,
    )
    if moved is None:
        raise DomainError(
            ErrorCode.REFUND_TOO_LARGE,
            detail=f"payment {payment['id']} can't refund {amount} fen more",
        )
    if payment["provider"] != "wallet":
        await provider(payment["provider"]).refund(conn, payment["id"], amount, key)


async def reconcile_pending(
    hooks: PaymentHooks, older_than_seconds: int = 120, limit: int = 500
) -> int:
    """Ask the providers about payments still pending: a callback that never arrived is applied
    now. Each payment on its own: one that can't be reconciled is logged, counted
    (`livecommerce_reconcile_skipped_total{reason}`) and skipped, so it never holds back the
    others; each one applied counts in `livecommerce_reconciled_total`."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id, provider FROM payments WHERE status = 'pending' AND provider <> 'wallet'"
            " AND created_at < now() - make_interval(secs => $1) ORDER BY id LIMIT $2",
            older_than_seconds,
            limit,
        )
    applied = 0
    for row in rows:
        try:
            async with db.connection() as conn:
                event = await provider(row["provider"]).query(conn, row["id"])
            if event is not None and await confirm(hooks, row["provider"], event) == "applied":
                applied += 1
                RECONCILED.inc()
        except Exception as exc:  # one bad row must not stop reconciliation for all the others
            reason = exc.code.value if isinstance(exc, DomainError) else type(exc).__name__
            RECONCILE_SKIPPED.labels(reason=reason).inc()
            log.warning(
                "payment_not_reconciled",
                payment_id=row["id"],
                provider=row["provider"],
                reason=reason,
                error=f"{type(exc).__name__}: {exc}"[:300],
            )
    return applied
