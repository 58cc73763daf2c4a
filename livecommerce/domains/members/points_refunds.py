"""A refund's points (OrderHooks.refunded, in the refund's transaction): the points the order spent
come back pro rata to what was refunded, and the points it earned (when it had completed: an
operator's dispute refund) are taken back pro rata, exactly (points_rules.spent_back and
earned_kept work on running totals, so partial refunds add up to what one refund would do).

Taken back from frozen points first (the order's own still-frozen ones, then the member's other
still-frozen earnings with the host, latest to thaw first), then from available ones, never below
zero. What the member no longer has (spent already) is the shortfall: recorded on the order's
earning row (`shortfall`), not carried as a debt and not taken from later earnings; the host sees
it there. One ledger posting per refund, keyed `points:order:{id}:refund:{refunded total}` (the
order's refunded total after this refund, which no other refund of it can repeat).

Lock order: the order (the refund's), the member's earning rows by ascending order id, then the
member's points accounts by ascending id (a thaw takes one earning row then the accounts).
"""

from __future__ import annotations

from asyncpg import Record

from livecommerce.domains import ledger
from livecommerce.domains.members import points
from livecommerce.domains.members.points_rules import earned_kept, spent_back, take
from livecommerce.infra.db import Tx


async def on_refunded(tx: Tx, order: Record, allocation: dict[int, int]) -> None:
    conn = tx.conn
    order_id, host_id, user_id = order["id"], order["host_id"], order["buyer_id"]
    refunded_after = order["refunded_amount"]
    refunded_before = refunded_after - sum(allocation.values())
    paid = order["pay_amount"]
    spent = order["points_used"]
    back = spent_back(spent, paid, refunded_after) - spent_back(spent, paid, refunded_before)
    earnings = await conn.fetch(
        "SELECT order_id, frozen_left, points, kept_amount, thaw_at FROM points_earnings"
        " WHERE host_id = $1 AND user_id = $2 AND (order_id = $3 OR thawed_at IS NULL)"
        " ORDER BY order_id FOR UPDATE",
        host_id,
        user_id,
        order_id,
    )
    own = next((e for e in earnings if e["order_id"] == order_id), None)
    owed = 0
    if own is not None:
        kept_at = own["kept_amount"]
        # The kept amount moves only with refunds after completion (those before are in kept_at).
        owed = earned_kept(own["points"], kept_at, paid - refunded_before) - earned_kept(
            own["points"], kept_at, paid - refunded_after
        )
    if back == 0 and owed == 0:
        return
    available, frozen, issuer = await points.member_accounts(conn, host_id, user_id)
    for account in sorted((available, frozen)):
        await ledger.lock_balance(conn, account)
    have = await points.balances(conn, host_id, user_id)
    others = sorted(
        (e for e in earnings if e["order_id"] != order_id and e["frozen_left"] > 0),
        key=lambda e: (e["thaw_at"], e["order_id"]),
        reverse=True,
    )
    frozen_rows = ([own] if own is not None else []) + others
    # Spent points come back first: the member may give back earned points out of them.
    taken, shortfall = take(
        owed, [int(e["frozen_left"]) for e in frozen_rows] + [have.available + back]
    )
    from_frozen, from_available = sum(taken[:-1]), taken[-1]
    legs = [
        (available, back - from_available),
        (frozen, -from_frozen),
        (issuer, from_frozen + from_available - back),
    ]
    if any(amount for _, amount in legs):
        await ledger.post(
            conn,
            f"points:order:{order_id}:refund:{refunded_after}",
            points.TXN_KIND,
            [leg for leg in legs if leg[1] != 0],
        )
    await conn.executemany(
        "UPDATE points_earnings SET frozen_left = frozen_left - $2 WHERE order_id = $1",
        [(e["order_id"], part) for e, part in zip(frozen_rows, taken, strict=False) if part],
    )
    if own is not None and owed:
        await conn.execute(
            "UPDATE points_earnings SET taken_back = taken_back + $2, shortfall = shortfall + $3"
            " WHERE order_id = $1",
            order_id,
            owed,
            shortfall,
        )
