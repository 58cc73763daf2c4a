"""The operator's money queue: distributors' withdrawals and hosts' payouts waiting for review,
side by side, with what each requester still has; and the latest decisions.

Decisions themselves go through the owning services (POST /api/admin/withdrawals/{id}/approve|
reject in distribution, /api/admin/payouts/{id}/approve|reject in payouts), which audit them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from asyncpg import Record

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.infra import db
from livecommerce.infra.schema import Out

MoneyKind = Literal["withdrawal", "payout"]
# Where each kind's money comes from (available) and where it waits while pending (held).
_ACCOUNTS: dict[str, tuple[Kind, Kind]] = {
    "withdrawal": (Kind.WALLET, Kind.HELD),
    "payout": (Kind.RECEIVABLE, Kind.PAYOUT_HELD),
}
_QUEUE_LIMIT = 200


class QueueItem(Out):
    kind: MoneyKind
    id: int
    user_id: int
    username: str
    display_name: str
    amount: int
    fee: int
    payout: int  # amount - fee: what reaches the account
    provider: str
    destination: str  # masked ("支付宝 138****5678 · 张**"); "" for a distributor's withdrawal
    note: str
    requested_at: datetime
    available: int  # the requester's balance left after holds (wallet / settled takings)
    held: int  # all the requester's pending requests hold


class DecidedItem(Out):
    kind: MoneyKind
    id: int
    user_id: int
    username: str
    amount: int
    fee: int
    status: str
    decision_reason: str
    decided_at: datetime | None
    decided_by: str | None


class MoneyQueue(Out):
    pending: list[QueueItem]
    pending_count: int
    pending_amount: int
    recent: list[DecidedItem]


_PENDING = (
    "SELECT 'withdrawal' AS kind, w.id, w.user_id, w.amount, w.fee, w.provider,"
    " '' AS destination, w.note, w.created_at, u.username, u.display_name"
    " FROM withdrawals w JOIN users u ON u.id = w.user_id WHERE w.status = 'pending'"
    " UNION ALL"
    " SELECT 'payout', p.id, p.host_id, p.amount, p.fee, p.provider, p.destination, p.note,"
    " p.created_at, u.username, u.display_name"
    " FROM payouts p JOIN users u ON u.id = p.host_id WHERE p.status = 'pending'"
    " ORDER BY created_at, kind, id LIMIT $1"
)
_RECENT = (
    "SELECT * FROM ("
    " SELECT 'withdrawal' AS kind, w.id, w.user_id, w.amount, w.fee, w.status,"
    " w.decision_reason, w.decided_at, u.username, d.username AS decided_by"
    " FROM withdrawals w JOIN users u ON u.id = w.user_id"
    " LEFT JOIN users d ON d.id = w.decided_by_id WHERE w.status <> 'pending'"
    " UNION ALL"
    " SELECT 'payout', p.id, p.host_id, p.amount, p.fee, p.status, p.decision_reason,"
    " p.decided_at, u.username, d.username"
    " FROM payouts p JOIN users u ON u.id = p.host_id"
    " LEFT JOIN users d ON d.id = p.decided_by_id WHERE p.status <> 'pending'"
    ") decided ORDER BY decided_at DESC NULLS LAST, kind, id DESC LIMIT $1"
)


def _queued(row: Record, balances: dict[tuple[int, Kind], int]) -> QueueItem:
    available, held = _ACCOUNTS[row["kind"]]
    return QueueItem(
        kind=row["kind"],
        id=row["id"],
        user_id=row["user_id"],
        username=row["username"],
        display_name=row["display_name"],
        amount=row["amount"],
        fee=row["fee"],
        payout=row["amount"] - row["fee"],
        provider=row["provider"],
        destination=row["destination"],
        note=row["note"],
        requested_at=row["created_at"],
        available=balances.get((row["user_id"], available), 0),
        held=balances.get((row["user_id"], held), 0),
    )


async def queue(recent: int = 20) -> MoneyQueue:
    """Pending requests oldest first (the one waiting longest is reviewed first)."""
    async with db.connection() as conn:
        rows = await conn.fetch(_PENDING, _QUEUE_LIMIT)
        balances = await ledger.balances_of_users(
            conn,
            [row["user_id"] for row in rows],
            [kind for pair in _ACCOUNTS.values() for kind in pair],
        )
        totals = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM withdrawals WHERE status = 'pending')"
            " + (SELECT count(*) FROM payouts WHERE status = 'pending') AS n,"
            " (SELECT COALESCE(SUM(amount), 0) FROM withdrawals WHERE status = 'pending')"
            " + (SELECT COALESCE(SUM(amount), 0) FROM payouts WHERE status = 'pending')"
            " AS amount"
        )
        decided = await conn.fetch(_RECENT, recent)
    return MoneyQueue(
        pending=[_queued(row, balances) for row in rows],
        pending_count=int(totals["n"]) if totals else 0,
        pending_amount=int(totals["amount"]) if totals else 0,
        recent=[
            DecidedItem(
                kind=row["kind"],
                id=row["id"],
                user_id=row["user_id"],
                username=row["username"],
                amount=row["amount"],
                fee=row["fee"],
                status=row["status"],
                decision_reason=row["decision_reason"],
                decided_at=row["decided_at"],
                decided_by=row["decided_by"],
            )
            for row in decided
        ],
    )
