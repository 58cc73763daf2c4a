"""Where tips settle: a tip's host share waits in the host's escrow for a hold (the `holdHours`
setting, default 24 h), then a worker moves it to the host's receivable, from which payouts are
taken.

Why a hold, though a tip is never refunded to its sender:
- No hot row. Tippers credit the host's escrow buckets (ledger/buckets.py: a bucket per tip id,
  so concurrent tippers of one host lock different rows). The receivable is one row per host
  that payouts spend freely, so it can't be bucketed; crediting it at once would queue every
  tipper of a big room on it. The settlement credits it once per chunk, not once per tip.
- A window for the operator. The usual abuse of tips is laundering (a stolen or bought wallet
  emptied into a colluding host's room). While a tip is held, its money can't leave as a payout;
  the operator can look before it does.
A hold of 0 settles at the next sweep (about a minute).

Idempotent: each tip settles by the ledger key `tip:<id>:settle` and a conditional
`settled_at IS NULL` update; tips are claimed with SKIP LOCKED, so two sweeps never wait on
each other, and a sweep run twice moves nothing twice.
"""

from __future__ import annotations

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.marketing import gifts_settings
from livecommerce.infra import db

CHUNK = 500


async def settle_due(chunk: int = CHUNK) -> int:
    """Settle one chunk of the tips whose hold is over; how many were settled."""
    async with db.transaction() as tx:
        conn = tx.conn
        hold = (await gifts_settings.load(conn)).hold_hours
        # The tip rows first, then the accounts (ascending, in post_many): the lock order of
        # the sending transaction, so the two never deadlock.
        due = await conn.fetch(
            "SELECT id, host_id, host_share, escrow_account_id FROM gift_tips"
            " WHERE settled_at IS NULL AND created_at <= now() - make_interval(hours => $1)"
            " ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED",
            hold,
            chunk,
        )
        if not due:
            return 0
        owed = [row for row in due if row["host_share"] > 0]
        receivable = await ledger.account_ids(
            conn, [row["host_id"] for row in owed], Kind.RECEIVABLE
        )
        await ledger.post_many(
            conn,
            "tip_settle",
            [
                (
                    f"tip:{row['id']}:settle",
                    [
                        (row["escrow_account_id"], -row["host_share"]),
                        (receivable[row["host_id"]], row["host_share"]),
                    ],
                )
                for row in owed
            ],
        )
        await conn.execute(
            "UPDATE gift_tips SET settled_at = now() WHERE id = ANY($1::bigint[])"
            " AND settled_at IS NULL",
            [row["id"] for row in due],
        )
    return len(due)


async def settle_all(chunk: int = CHUNK) -> int:
    settled = 0
    while done := await settle_due(chunk):
        settled += done
        if done < chunk:
            break
    return settled


async def purge_old_totals(keep_days: int = 3) -> int:
    """Forget the senders' running totals no cap can read again: days past (a day's row is kept
    a few days, whatever the zone), and sessions no longer live."""
    async with db.connection() as conn:
        done = await conn.execute(
            "DELETE FROM gift_tip_totals t WHERE t.updated_at < now() - make_interval(days => $1)"
            " AND (t.scope LIKE 'd:%' OR (t.scope LIKE 's:%' AND NOT EXISTS ("
            "   SELECT 1 FROM live_sessions s"
            "   WHERE s.id = substr(t.scope, 3)::int AND s.status = 'live')))",
            keep_days,
        )
    return int(done.split()[-1])
