"""Which orders followed a message: last touch within the attribution window.

An order is attributed when its buyer paid the message's host within `window` after one of the
message's deliveries was delivered (on any channel): delivered_at <= paid_at < delivered_at +
window. An order is attributed at most once, to the latest such delivery before it (ties: the
higher message id). Orders count as analytics counts them (reports.py `_SOLD`): paid, not
wholly refunded, sales net of refunds.

One set-based query (no loop per message or order): the deliveries that can touch the period's
orders, then `DISTINCT ON (order)` keeps each order's latest touch. The period is over the
message: only messages made in [since, until) are reported, but an order's latest touch is
chosen among every delivery, so an older message that touched an order last keeps it.
tests/outreach/test_results_attribution.py checks it against a Python reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from asyncpg import Connection

# $1 host, $2 since, $3 until, $4 the window. Only orders paid at or after since can follow a
# message made then; and a delivery before since never decides one: if such an order has a
# touch by a message of the period, that touch (at or after since) is the later one.
FOLLOWED_SQL = """
WITH touches AS (
  SELECT d.message_id, d.delivered_at, m.user_id, m.journey, m.campaign_id,
         m.created_at AS message_at
  FROM outreach_deliveries d
  JOIN outreach_messages m ON m.id = d.message_id
  WHERE d.host_id = $1 AND m.host_id = $1
    AND d.delivered_at >= $2
), followed AS (
  SELECT DISTINCT ON (o.id)
    o.id AS order_id, o.buyer_id AS user_id, o.paid_at,
    o.pay_amount - o.refunded_amount AS sales,
    t.message_id, t.journey, t.campaign_id, t.message_at
  FROM orders o
  JOIN touches t ON t.user_id = o.buyer_id
    AND t.delivered_at <= o.paid_at AND o.paid_at < t.delivered_at + $4::interval
  WHERE o.host_id = $1 AND o.paid_at >= $2 AND o.status <> 'refunded'
  ORDER BY o.id, t.delivered_at DESC, t.message_id DESC
)
SELECT * FROM followed WHERE message_at >= $2 AND message_at < $3
"""


@dataclass(frozen=True, slots=True)
class Followed:
    """One attributed order: what it brought and which message it is credited to."""

    order_id: int
    user_id: int
    paid_at: datetime
    sales: int
    message_id: int
    journey: str
    campaign_id: int | None


async def followed_orders(
    conn: Connection, host_id: int, since: datetime, until: datetime, window: timedelta
) -> list[Followed]:
    """The host's orders attributed to its messages made in [since, until), by order id."""
    rows = await conn.fetch(FOLLOWED_SQL + " ORDER BY order_id", host_id, since, until, window)
    return [
        Followed(
            order_id=r["order_id"],
            user_id=r["user_id"],
            paid_at=r["paid_at"],
            sales=int(r["sales"]),
            message_id=r["message_id"],
            journey=r["journey"],
            campaign_id=r["campaign_id"],
        )
        for r in rows
    ]
