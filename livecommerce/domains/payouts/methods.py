"""A host's payout methods: added, listed (masked), removed. The number is kept to pay out to;
no answer ever carries it whole."""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains.payouts import rules
from livecommerce.domains.payouts.schemas import AddPayoutMethod, PayoutMethodOut
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

MAX_METHODS = 10


def method_out(row: Record) -> PayoutMethodOut:
    return PayoutMethodOut(
        id=row["id"],
        kind=row["kind"],
        account_name=rules.mask_holder(row["account_name"]),
        account_no=rules.mask_number(row["kind"], row["account_no"]),
        bank_name=row["bank_name"],
        label=rules.destination(
            row["kind"], row["account_name"], row["account_no"], row["bank_name"]
        ),
        created_at=row["created_at"],
    )


async def active_method(conn: Connection, host_id: int, method_id: int) -> Record:
    """The host's method, not removed; another host's (or a removed one) is 404."""
    row = await conn.fetchrow(
        "SELECT * FROM payout_methods WHERE id = $1 AND host_id = $2 AND deleted_at IS NULL",
        method_id,
        host_id,
    )
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no payout method {method_id}")
    return row


async def add(host_id: int, data: AddPayoutMethod) -> PayoutMethodOut:
    account = rules.normalized(data.kind, data.account_name, data.account_no, data.bank_name)
    async with db.transaction() as tx:
        conn = tx.conn
        # The host's row orders concurrent additions, so the cap holds.
        await conn.execute("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE", host_id)
        count = await conn.fetchval(
            "SELECT count(*) FROM payout_methods WHERE host_id = $1 AND deleted_at IS NULL",
            host_id,
        )
        if count >= MAX_METHODS:
            raise DomainError(
                ErrorCode.CONFLICT,
                detail=f"at most {MAX_METHODS} payout methods; remove one first",
                limit=MAX_METHODS,
            )
        row = await conn.fetchrow(
            "INSERT INTO payout_methods"
            " (host_id, kind, account_name, account_no, bank_name, created_at)"
            " VALUES ($1, $2, $3, $4, $5, now()) RETURNING *",
            host_id,
            account.kind,
            account.account_name,
            account.account_no,
            account.bank_name,
        )
        if row is None:
            raise RuntimeError("INSERT ... RETURNING gave no row")
        return method_out(row)


async def listed(host_id: int) -> list[PayoutMethodOut]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM payout_methods WHERE host_id = $1 AND deleted_at IS NULL ORDER BY id",
            host_id,
        )
    return [method_out(row) for row in rows]


async def remove(host_id: int, method_id: int) -> None:
    """Removed from the list; a pending payout to it still pays there (the row stays)."""
    async with db.connection() as conn:
        done = await conn.fetchval(
            "UPDATE payout_methods SET deleted_at = now()"
            " WHERE id = $1 AND host_id = $2 AND deleted_at IS NULL RETURNING id",
            method_id,
            host_id,
        )
    if done is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no payout method {method_id}")
