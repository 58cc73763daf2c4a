"""Withdrawals: the amount is held (WALLET -> HELD) while an operator reviews it; approval pays it
out through the payment provider (minus the fee, which is platform revenue), rejection releases it.

Never more than the balance, also with concurrent requests: the wallet row is locked and checked
in the requesting transaction, and the ledger's conditional update refuses a negative balance.
"""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.accounts import standing
from livecommerce.domains.distribution import config
from livecommerce.domains.distribution.rules import withdrawal_fee
from livecommerce.domains.distribution.schemas import WithdrawalOut, WithdrawalPage
from livecommerce.domains.ledger import Kind
from livecommerce.domains.payments.providers import provider
from livecommerce.infra import audit, db
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings


def _returned(row: Record | None, what: str) -> Record:
    """The row an INSERT/UPDATE ... RETURNING gave (of a row it made or had locked)."""
    if row is None:
        raise RuntimeError(f"{what}: the statement returned no row")
    return row


def _out(row: Record) -> WithdrawalOut:
    return WithdrawalOut(
        id=row["id"],
        user_id=row["user_id"],
        amount=row["amount"],
        fee=row["fee"],
        payout=row["amount"] - row["fee"],
        status=row["status"],
        provider_ref=row["provider_ref"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
        decision_reason=row["decision_reason"],
    )


async def request(env: Settings, user_id: int, amount: int, note: str) -> WithdrawalOut:
    async with db.transaction() as tx:
        conn = tx.conn
        await standing.ensure_not_suspended(conn, user_id, "distributor")
        settings = await config.load(conn, env)
        if amount < settings.withdrawal_min:
            raise DomainError(
                ErrorCode.WITHDRAWAL_TOO_SMALL,
                detail=f"the minimum withdrawal is {settings.withdrawal_min} fen",
                minimum=settings.withdrawal_min,
            )
        wallet = await ledger.account_id(conn, user_id, Kind.WALLET)
        held = await ledger.account_id(conn, user_id, Kind.HELD)
        # Lock the wallet before checking it: concurrent requests queue here and see each
        # other's holds.
        balance = await ledger.lock_balance(conn, wallet)
        if balance < amount:
            raise DomainError(
                ErrorCode.INSUFFICIENT_BALANCE,
                detail=f"{amount} fen asked, {max(balance, 0)} fen available",
                available=max(balance, 0),
            )
        row = await conn.fetchrow(
            "INSERT INTO withdrawals (user_id, amount, fee, status, provider, note, created_at)"
            " VALUES ($1, $2, $3, 'pending', 'sandbox', $4, now()) RETURNING *",
            user_id,
            amount,
            withdrawal_fee(amount, settings.withdrawal_fee_bp),
            note,
        )
        row = _returned(row, "the new withdrawal")
        await ledger.post(
            conn,
            f"withdrawal:{row['id']}:hold",
            "withdrawal_hold",
            [(wallet, -amount), (held, amount)],
        )
        return _out(row)


async def _lock_pending(conn: Connection, withdrawal_id: int) -> Record:
    row = await conn.fetchrow("SELECT * FROM withdrawals WHERE id = $1 FOR UPDATE", withdrawal_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no withdrawal {withdrawal_id}")
    if row["status"] != "pending":
        raise DomainError(
            ErrorCode.ILLEGAL_TRANSITION,
            detail=f"withdrawal {withdrawal_id} is already {row['status']}",
        )
    return row


async def _decide(
    conn: Connection,
    withdrawal_id: int,
    status: str,
    admin_id: int,
    ref: str | None = None,
    reason: str = "",
) -> WithdrawalOut:
    """Record an operator's decision on a withdrawal `_lock_pending` locked, and its audit row
    (`withdrawal.approve|reject`) in the same transaction."""
    row = _returned(
        await conn.fetchrow(
            "UPDATE withdrawals SET status = $2, provider_ref = COALESCE($3, provider_ref),"
            " decided_at = now(), decided_by_id = $4, decision_reason = $5"
            " WHERE id = $1 RETURNING *",
            withdrawal_id,
            status,
            ref,
            admin_id,
            reason,
        ),
        f"withdrawal {withdrawal_id}",
    )
    figures = {"amount": row["amount"], "fee": row["fee"]}
    await audit.record(
        conn,
        admin_id,
        "withdrawal.approve" if status == "paid" else "withdrawal.reject",
        "withdrawal",
        withdrawal_id,
        before={"status": "pending", **figures},
        after={"status": status, **figures},
        reason=reason,
    )
    return _out(row)


async def approve(withdrawal_id: int, admin_id: int) -> WithdrawalOut:
    async with db.transaction() as tx:
        conn = tx.conn
        row = await _lock_pending(conn, withdrawal_id)
        held = await ledger.account_id(conn, row["user_id"], Kind.HELD)
        gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
        revenue = await ledger.account_id(conn, None, Kind.REVENUE)
        payout = row["amount"] - row["fee"]
        ref = await provider(row["provider"]).payout(
            conn, withdrawal_id, payout, f"withdrawal-{withdrawal_id}"
        )
        await ledger.post(
            conn,
            f"withdrawal:{withdrawal_id}:payout",
            "withdrawal_payout",
            [(held, -row["amount"]), (gateway, payout), (revenue, row["fee"])],
        )
        return await _decide(conn, withdrawal_id, "paid", admin_id, ref)


async def reject(withdrawal_id: int, admin_id: int, reason: str) -> WithdrawalOut:
    """Release the held amount to the wallet; the `reason` is shown to the distributor."""
    reason = reason.strip()
    if not reason:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, detail="say why the withdrawal is rejected", field="reason"
        )
    async with db.transaction() as tx:
        conn = tx.conn
        row = await _lock_pending(conn, withdrawal_id)
        held = await ledger.account_id(conn, row["user_id"], Kind.HELD)
        wallet = await ledger.account_id(conn, row["user_id"], Kind.WALLET)
        await ledger.post(
            conn,
            f"withdrawal:{withdrawal_id}:release",
            "withdrawal_release",
            [(held, -row["amount"]), (wallet, row["amount"])],
        )
        return await _decide(conn, withdrawal_id, "rejected", admin_id, reason=reason)


async def page(
    user_id: int | None, status: str | None, cursor: int | None, limit: int
) -> WithdrawalPage:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM withdrawals"
            " WHERE ($1::int IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2)"
            " AND ($3::int IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
            user_id,
            status,
            cursor,
            limit + 1,
        )
    items = [_out(row) for row in rows[:limit]]
    return WithdrawalPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)
