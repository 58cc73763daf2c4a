"""A user's view of the ledger: balances and the statement. Adding money (a top-up) is a
payment (payments/topups.py); the wallet only reads."""

from __future__ import annotations

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.wallet.schemas import EntryOut, EntryPage, WalletOut
from livecommerce.infra import db


async def wallet(user_id: int) -> WalletOut:
    async with db.connection() as conn:
        balances = await ledger.balances_of(conn, user_id)
    return WalletOut(
        currency="CNY",
        available=balances.get(Kind.WALLET, 0),
        held=balances.get(Kind.HELD, 0),
        escrow=balances.get(Kind.ESCROW, 0),
        receivable=balances.get(Kind.RECEIVABLE, 0),
    )


async def entries(user_id: int, cursor: int | None, limit: int) -> EntryPage:
    async with db.connection() as conn:
        rows = await ledger.entries_of(conn, user_id, cursor, limit + 1)
    items = [EntryOut(**dict(row)) for row in rows[:limit]]
    return EntryPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)
