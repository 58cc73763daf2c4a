"""Each product's repurchase cycle: the host's, or the one learned from repeat buyers.

Learning is one set-based statement over every paid purchase (the daily job): each buyer's
consecutive purchases of a product give intervals, the product's median of them (all buyers
pooled) is its cycle once at least REPURCHASE_MIN_BUYERS buyers bought it twice
(cycle_rules.learned_days). A purchase is one paid order containing the product (two SKUs of it
in one order are one purchase); an order cancelled or refunded in full is no purchase.
"""

from __future__ import annotations

from datetime import datetime

from asyncpg import Connection, Record

from livecommerce.domains.outreach import cycle_rules
from livecommerce.domains.outreach.journey_schemas import CycleIn, CycleOut
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

# An order that counts as bought (alias o).
BOUGHT = "o.paid_at IS NOT NULL AND o.status NOT IN ('pending_payment', 'cancelled', 'refunded')"

# Per product: how many buyers bought it at least twice, and the median of all their intervals.
LEARN_SQL = f"""
WITH purchases AS (
  SELECT DISTINCT i.product_id, o.buyer_id, o.id AS order_id, o.paid_at
  FROM orders o JOIN order_items i ON i.order_id = o.id
  WHERE {BOUGHT}
), gaps AS (
  SELECT product_id, buyer_id,
         extract(epoch FROM paid_at - lag(paid_at) OVER (
           PARTITION BY product_id, buyer_id ORDER BY paid_at, order_id))::float8 AS gap
  FROM purchases
)
SELECT g.product_id, p.host_id, count(DISTINCT g.buyer_id)::int AS repeat_buyers,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY g.gap) AS median_seconds
FROM gaps g JOIN products p ON p.id = g.product_id
WHERE g.gap IS NOT NULL
GROUP BY g.product_id, p.host_id
"""


def _not_found(product_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no product {product_id} of yours")


def cycle_out(product_id: int, row: Record | None, settings: Settings) -> CycleOut:
    host_days = row["cycle_days"] if row else None
    learned = row["learned_days"] if row else None
    days, source = cycle_rules.effective(host_days, learned)
    return CycleOut(
        product_id=product_id,
        cycle_days=host_days,
        learned_days=learned,
        repeat_buyers=row["repeat_buyers"] if row else 0,
        effective_days=days,
        source=source,
        lead_days=settings.repurchase_lead_days,
        min_repeat_buyers=settings.repurchase_min_buyers,
    )


async def _own_product(conn: Connection, product_id: int, host_id: int) -> None:
    if not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM products WHERE id = $1 AND host_id = $2)",
        product_id,
        host_id,
    ):
        raise _not_found(product_id)


async def get_cycle(product_id: int, host_id: int, settings: Settings) -> CycleOut:
    async with db.connection() as conn:
        await _own_product(conn, product_id, host_id)
        row = await conn.fetchrow(
            "SELECT * FROM outreach_product_cycles WHERE product_id = $1", product_id
        )
    return cycle_out(product_id, row, settings)


async def put_cycle(product_id: int, host_id: int, data: CycleIn, settings: Settings) -> CycleOut:
    async with db.transaction() as tx:
        conn = tx.conn
        await _own_product(conn, product_id, host_id)
        row = await conn.fetchrow(
            "INSERT INTO outreach_product_cycles (product_id, host_id, cycle_days, updated_at)"
            " VALUES ($1, $2, $3, now()) ON CONFLICT (product_id) DO UPDATE"
            " SET cycle_days = EXCLUDED.cycle_days, updated_at = now() RETURNING *",
            product_id,
            host_id,
            data.cycle_days,
        )
    return cycle_out(product_id, row, settings)


async def learn(conn: Connection, min_buyers: int, now: datetime) -> int:
    """Learn every product's cycle from its repeat buyers (one statement); a product that no
    longer has enough of them loses its learned cycle. Returns the products with one."""
    learned = await conn.fetch(LEARN_SQL)
    rows = [
        (
            r["product_id"],
            r["host_id"],
            cycle_rules.learned_days(r["median_seconds"], r["repeat_buyers"], min_buyers),
            r["median_seconds"],
            r["repeat_buyers"],
        )
        for r in learned
    ]
    await conn.execute(
        "INSERT INTO outreach_product_cycles (product_id, host_id, learned_days, median_seconds,"
        " repeat_buyers, learned_at, updated_at)"
        " SELECT * , $6::timestamptz, $6::timestamptz FROM unnest($1::int[], $2::int[], $3::int[],"
        " $4::float8[], $5::int[])"
        " ON CONFLICT (product_id) DO UPDATE SET learned_days = EXCLUDED.learned_days,"
        " median_seconds = EXCLUDED.median_seconds, repeat_buyers = EXCLUDED.repeat_buyers,"
        " learned_at = EXCLUDED.learned_at",
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        [r[4] for r in rows],
        now,
    )
    await conn.execute(
        "UPDATE outreach_product_cycles SET learned_days = NULL, median_seconds = NULL,"
        " repeat_buyers = 0, learned_at = $1"
        " WHERE learned_at IS DISTINCT FROM $1 AND (learned_days IS NOT NULL OR repeat_buyers > 0)",
        now,
    )
    return sum(1 for r in rows if r[2] is not None)


async def learn_all(settings: Settings, now: datetime) -> int:
    async with db.transaction() as tx:
        return await learn(tx.conn, settings.repurchase_min_buyers, now)
