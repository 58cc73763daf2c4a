"""Repurchase by cycle: remind a buyer of a product `cycle - lead` days after their last purchase
of it, unless they bought it again.

The sweep (hourly) finds every candidate with ONE set-based statement (SWEEP_SQL), read through a
cursor in chunks, each chunk reached in one transaction: the purchases paid on the days whose
reminder falls due between GRACE_DAYS ago and now (per distinct cycle, through the paid_at index,
so a few days of orders are read, not all of them), that are the buyer's last purchase of the
product, whose host has the journey on, and that were not reminded of yet. The period
`product:{id}:last:{order_id}` makes it one reminder per purchase: a second, late or concurrent
sweep finds the message there (or its INSERT waits on the unique key and does nothing).

Just before sending, the re-check asks again: bought it since? Then the delivery is skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import structlog
from asyncpg import Connection, Record

from livecommerce.domains.outreach import cycle_rules
from livecommerce.domains.outreach.cycles import BOUGHT
from livecommerce.domains.outreach.journey_settings import enabled_sql
from livecommerce.domains.outreach.sending import Reach, reach
from livecommerce.infra import db

log = structlog.get_logger("outreach.repurchase")
JOURNEY = "repurchase"
CHUNK = 1_000

# $1 now, $2 lead days, $3 grace days. One row per (buyer, product): the last purchase. The
# orders read are those paid in the span of every cycle's due days (one range of the paid_at
# index), each then held to its own product's days.
SWEEP_SQL = f"""
WITH cycles AS (
  SELECT c.product_id, greatest(coalesce(c.cycle_days, c.learned_days) - $2::int, 1) AS after_days
  FROM outreach_product_cycles c
  WHERE coalesce(c.cycle_days, c.learned_days) IS NOT NULL AND {enabled_sql("c.host_id", JOURNEY)}
), span AS (
  SELECT $1::timestamptz - make_interval(days => max(after_days) + $3::int) AS lo,
         $1::timestamptz - make_interval(days => min(after_days)) AS hi
  FROM cycles
), bought AS (
  SELECT DISTINCT o.buyer_id, o.host_id, i.product_id, o.id AS order_id, o.paid_at
  FROM span
  JOIN orders o ON o.paid_at > span.lo AND o.paid_at <= span.hi
  JOIN order_items i ON i.order_id = o.id
  JOIN cycles c ON c.product_id = i.product_id
  WHERE {BOUGHT}
    AND o.paid_at > $1::timestamptz - make_interval(days => c.after_days + $3::int)
    AND o.paid_at <= $1::timestamptz - make_interval(days => c.after_days)
)
SELECT b.buyer_id, b.host_id, b.product_id, b.order_id, b.paid_at
FROM bought b
WHERE NOT EXISTS (
    SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id
    WHERE o.buyer_id = b.buyer_id AND i.product_id = b.product_id AND {BOUGHT}
      AND (o.paid_at, o.id) > (b.paid_at, b.order_id))
  AND NOT EXISTS (
    SELECT 1 FROM outreach_messages m
    WHERE m.user_id = b.buyer_id AND m.journey = '{JOURNEY}'
      AND m.period = 'product:' || b.product_id || ':last:' || b.order_id)
"""


def period(product_id: int, order_id: int) -> str:
    return f"product:{product_id}:last:{order_id}"


async def candidates(
    conn: Connection, now: datetime, lead_days: int, chunk: int = CHUNK
) -> AsyncIterator[list[Record]]:
    """The sweep's one statement, read in chunks (a cursor: needs `conn` in a transaction)."""
    # A cursor is planned for its first rows (cursor_tuple_fraction 0.1); this one is read to
    # the end, so plan it as the whole query it is.
    await conn.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    cursor = await conn.cursor(SWEEP_SQL, now, lead_days, cycle_rules.GRACE_DAYS)
    while rows := await cursor.fetch(chunk):
        yield rows


async def _reach_chunk(rows: list[Record]) -> int:
    reached = 0
    async with db.transaction() as tx:
        conn = tx.conn
        titles = {
            r["id"]: r["title"]
            for r in await conn.fetch(
                "SELECT id, title FROM products WHERE id = ANY($1::int[])",
                list({r["product_id"] for r in rows}),
            )
        }
        # In key order: two sweeps at once take the messages' unique keys in one order (no
        # deadlock), the second waiting for the first and then finding them said.
        for r in sorted(rows, key=lambda r: (r["buyer_id"], r["product_id"], r["order_id"])):
            made = await reach(
                tx,
                Reach(
                    user_id=r["buyer_id"],
                    host_id=r["host_id"],
                    journey=JOURNEY,
                    period=period(r["product_id"], r["order_id"]),
                    template=JOURNEY,
                    context={
                        "product_id": r["product_id"],
                        "product_title": titles.get(r["product_id"], ""),
                        "order_id": r["order_id"],
                    },
                    link=f"/products/{r['product_id']}",
                ),
            )
            reached += made is not None
    return reached


async def sweep(now: datetime, lead_days: int) -> tuple[int, int]:
    """Find and reach every due reminder: (candidates found, messages made)."""
    found = reached = 0
    # The reader is a connection of its own (not db.transaction(), which nested calls join):
    # each chunk is reached and committed in its own transaction while the cursor reads on.
    async with db.connection() as reader, reader.transaction(readonly=True):
        async for rows in candidates(reader, now, lead_days):
            found += len(rows)
            reached += await _reach_chunk(rows)
    if found:
        log.info("repurchase_swept", found=found, reached=reached)
    return found, reached


async def still_due(conn: Connection, message: Record) -> bool:
    """The re-check: the buyer has not bought the product again since the purchase reminded of."""
    try:
        _, product, _, order = str(message["period"]).split(":")
        product_id, order_id = int(product), int(order)
    except ValueError:
        return False
    return not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id"
        f" WHERE o.buyer_id = $1 AND i.product_id = $2 AND {BOUGHT}"
        " AND (o.paid_at, o.id) > (SELECT paid_at, id FROM orders WHERE id = $3))",
        message["user_id"],
        product_id,
        order_id,
    )
