"""Host payouts: a host withdraws settled takings (the RECEIVABLE account `complete` credits).

- Requested: the amount moves RECEIVABLE -> PAYOUT_HELD (ledger `payout:N:hold`) while an admin
  reviews it. The host's two accounts are locked (by id) and the balance checked in the
  requesting transaction: concurrent requests queue on the lock and never overdraw.
- Approved: sent through the payment provider (the sandbox books it once per key) and posted
  PAYOUT_HELD -> the provider's clearing account (GATEWAY), the fee to REVENUE (`payout:N:paid`).
- Rejected: PAYOUT_HELD -> RECEIVABLE again (`payout:N:release`), with the admin's reason.

A decision takes the payout's row lock and needs it `pending`: approved twice (or approved and
rejected at once), the second finds it decided and is 409; the ledger keys and the provider's
key would refuse a second movement anyway.

Lock order: the payout's row, then ledger accounts by ascending id.
"""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.payments.providers import provider
from livecommerce.domains.payouts import rules
from livecommerce.domains.payouts.methods import active_method
from livecommerce.domains.payouts.schemas import PayoutOut, PayoutPage, PayoutSummary
from livecommerce.infra import audit, db
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

PROVIDER = "sandbox"


def payout_out(row: Record) -> PayoutOut:
    return PayoutOut(
        id=row["id"],
        host_id=row["host_id"],
        method_id=row["method_id"],
        amount=row["amount"],
        fee=row["fee"],
        payout=row["amount"] - row["fee"],
        status=row["status"],
        destination=row["destination"],
        provider_ref=row["provider_ref"],
        note=row["note"],
        decision_reason=row["decision_reason"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
    )


def _returned(row: Record | None, what: str) -> Record:
    if row is None:
        raise RuntimeError(f"{what}: the statement returned no row")
    return row


async def request(
    settings: Settings, host_id: int, amount: int, method_id: int, note: str
) -> PayoutOut:
    async with db.transaction() as tx:
        conn = tx.conn
        method = await active_method(conn, host_id, method_id)
        if amount < settings.host_payout_min:
            raise DomainError(
                ErrorCode.WITHDRAWAL_TOO_SMALL,
                detail=f"the minimum payout is {settings.host_payout_min} fen",
                minimum=settings.host_payout_min,
            )
        receivable = await ledger.account_id(conn, host_id, Kind.RECEIVABLE)
        held = await ledger.account_id(conn, host_id, Kind.PAYOUT_HELD)
        # Both rows locked in ascending id (the ledger's order) before the balance is read:
        # concurrent requests queue here and each sees the holds before it.
        balances = {
            account: await ledger.lock_balance(conn, account)
            for account in sorted({receivable, held})
        }
        available = balances[receivable]
        if available < amount:
            raise DomainError(
                ErrorCode.INSUFFICIENT_BALANCE,
                detail=f"{amount} fen asked, {max(available, 0)} fen available",
                available=max(available, 0),
            )
        row = _returned(
            await conn.fetchrow(
                "INSERT INTO payouts (host_id, method_id, amount, fee, status, destination,"
                " provider, note, decision_reason, created_at)"
                " VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, '', now()) RETURNING *",
                host_id,
                method_id,
                amount,
                rules.payout_fee(amount, settings.host_payout_fee_bp),
                rules.destination(
                    method["kind"],
                    method["account_name"],
                    method["account_no"],
                    method["bank_name"],
                ),
                PROVIDER,
                note.strip(),
            ),
            "the new payout",
        )
        await ledger.post(
            conn,
            f"payout:{row['id']}:hold",
            "payout_hold",
            [(receivable, -amount), (held, amount)],
        )
        return payout_out(row)


async def _lock_pending(conn: Connection, payout_id: int) -> Record:
    row = await conn.fetchrow("SELECT * FROM payouts WHERE id = $1 FOR UPDATE", payout_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no payout {payout_id}")
    if row["status"] != "pending":
        raise DomainError(
            ErrorCode.ILLEGAL_TRANSITION,
            detail=f"payout {payout_id} is already {row['status']}",
            currentStatus=row["status"],
        )
    return row


async def _decide(
    conn: Connection,
    payout_id: int,
    status: str,
    admin_id: int,
    *,
    ref: str | None = None,
    reason: str = "",
) -> PayoutOut:
    row = _returned(
        await conn.fetchrow(
            "UPDATE payouts SET status = $2, provider_ref = COALESCE($3, provider_ref),"
            " decision_reason = $5, decided_at = now(), decided_by_id = $4"
            " WHERE id = $1 AND status = 'pending' RETURNING *",
            payout_id,
            status,
            ref,
            admin_id,
            reason,
        ),
        f"payout {payout_id}",
    )
    # The decision's audit row commits with it (`payout.approve|reject`).
    figures = {"amount": row["amount"], "fee": row["fee"]}
    await audit.record(
        conn,
        admin_id,
        "payout.approve" if status == "paid" else "payout.reject",
        "payout",
        payout_id,
        before={"status": "pending", **figures},
        after={"status": status, **figures},
        reason=reason,
    )
    return payout_out(row)


async def approve(payout_id: int, admin_id: int) -> PayoutOut:
    async with db.transaction() as tx:
        conn = tx.conn
        row = await _lock_pending(conn, payout_id)
        method = await conn.fetchrow("SELECT * FROM payout_methods WHERE id = $1", row["method_id"])
        method = _returned(method, f"payout {payout_id}'s method")
        net = row["amount"] - row["fee"]
        # The sandbox is PostgreSQL (its books are a table in this transaction). A provider
        # reached over the network would be called from a job after COMMIT instead, with the same
        # key, and post when it answers.
        ref = await provider(row["provider"]).payout(
            conn,
            payout_id,
            net,
            f"payout-{payout_id}",
            f"{method['kind']} {rules.mask_number(method['kind'], method['account_no'])}",
        )
        held = await ledger.account_id(conn, row["host_id"], Kind.PAYOUT_HELD)
        gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
        revenue = await ledger.account_id(conn, None, Kind.REVENUE)
        legs = [(held, -row["amount"]), (gateway, net), (revenue, row["fee"])]
        await ledger.post(
            conn, f"payout:{payout_id}:paid", "payout", [leg for leg in legs if leg[1]]
        )
        return await _decide(conn, payout_id, "paid", admin_id, ref=ref)


async def reject(payout_id: int, admin_id: int, reason: str) -> PayoutOut:
    if not reason.strip():
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, detail="say why the payout is rejected", field="reason"
        )
    async with db.transaction() as tx:
        conn = tx.conn
        row = await _lock_pending(conn, payout_id)
        held = await ledger.account_id(conn, row["host_id"], Kind.PAYOUT_HELD)
        receivable = await ledger.account_id(conn, row["host_id"], Kind.RECEIVABLE)
        await ledger.post(
            conn,
            f"payout:{payout_id}:release",
            "payout_release",
            [(held, -row["amount"]), (receivable, row["amount"])],
        )
        return await _decide(conn, payout_id, "rejected", admin_id, reason=reason.strip())


async def page(
    host_id: int | None, status: str | None, cursor: int | None, limit: int
) -> PayoutPage:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM payouts"
            " WHERE ($1::int IS NULL OR host_id = $1) AND ($2::text IS NULL OR status = $2)"
            " AND ($3::int IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
            host_id,
            status,
            cursor,
            limit + 1,
        )
    items = [payout_out(row) for row in rows[:limit]]
    return PayoutPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


async def summary(settings: Settings, host_id: int) -> PayoutSummary:
    async with db.connection() as conn:
        balances = await ledger.balances_of(conn, host_id)
        row = _returned(
            await conn.fetchrow(
                "SELECT COALESCE(SUM(amount) FILTER (WHERE status = 'paid'), 0)::bigint AS paid,"
                " count(*) FILTER (WHERE status = 'pending') AS pending"
                " FROM payouts WHERE host_id = $1",
                host_id,
            ),
            "the payout totals",
        )
    return PayoutSummary(
        available=balances.get(Kind.RECEIVABLE, 0),
        held=balances.get(Kind.PAYOUT_HELD, 0),
        escrow=balances.get(Kind.ESCROW, 0),
        paid_out=row["paid"],
        pending=row["pending"],
        minimum=settings.host_payout_min,
        fee_bp=settings.host_payout_fee_bp,
    )
