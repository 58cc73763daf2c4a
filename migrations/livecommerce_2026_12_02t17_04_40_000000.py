"""Distribution: the paid orders attributed to a distributor, by time (team sales this month,
orders per link and per bound buyer), without reading every order."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-02T17:04:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "distribution: orders by attributed distributor and paid time"

# The expression is the one livecommerce/domains/distribution/link_stats.py queries by.
SQL = """
CREATE INDEX IF NOT EXISTS orders_attributed_paid
  ON orders (((attribution->>'distributorId')::int), paid_at)
  WHERE attribution IS NOT NULL AND paid_at IS NOT NULL;
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
