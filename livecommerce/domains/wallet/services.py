"""A user's view of the ledger: balances, the statement, and topping up through a gateway."""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains.payments import services as payments
from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.wallet.schemas import EntryOut, EntryPage, TopUpOut, WalletOut
from livecommerce.infra import db


async def wallet(user_id: int) -> WalletOut:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT kind, balance FROM accounts WHERE user_id = $1", user_id)
    balances = {row["kind"]: int(row["balance"]) for row in rows}
    return WalletOut(
        currency="CNY",
        available=balances.get(Kind.WALLET, 0),
        held=balances.get(Kind.HELD, 0),
        escrow=balances.get(Kind.ESCROW, 0),
        receivable=balances.get(Kind.RECEIVABLE, 0),
    )


async def entries(user_id: int, cursor: int | None, limit: int) -> EntryPage:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT e.id, a.kind AS account_kind, e.amount, e.balance_after, t.kind, t.business_key, e.created_at"
            " FROM ledger_entries e JOIN accounts a ON a.id = e.account_id JOIN ledger_transactions t ON t.id = e.txn_id"
            " WHERE a.user_id = $1 AND ($2::int IS NULL OR e.id < $2) ORDER BY e.id DESC LIMIT $3",
            user_id,
            cursor,
            limit + 1,
        )
    items = [EntryOut(**dict(row)) for row in rows[:limit]]
    return EntryPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


async def start_top_up(user_id: int, amount: int, provider_name: str) -> TopUpOut:
    async with db.transaction() as tx:
        conn = tx.conn
        payment = await payments.create_payment(
            conn,
            user_id=user_id,
            purpose="topup",
            amount=amount,
            order_id=None,
            provider_name=provider_name,
        )
    return TopUpOut(payment_id=payment["id"], amount=amount, pay_url=payments.checkout_url(payment))


@payments.on_success("topup")
async def _top_up_succeeded(conn: Connection, payment: Record) -> None:
    gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
    wallet_account = await ledger.account_id(conn, payment["user_id"], Kind.WALLET)
    await ledger.post(
        conn,
        f"payment:{payment['id']}",
        "topup",
        [(gateway, -payment["amount"]), (wallet_account, payment["amount"])],
    )
