"""The host order desk's lookups (a host's orders by status, newest first; the feed of new paid
orders) and the admin's queue of pending host payouts."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-02T14:36:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "orders desk and payouts indexes"

SQL = """
CREATE INDEX IF NOT EXISTS orders_host_desk ON orders (host_id, status, id DESC);
CREATE INDEX IF NOT EXISTS orders_host_paid_feed ON orders (host_id, paid_at)
  WHERE status = 'paid';
CREATE INDEX IF NOT EXISTS payouts_pending ON payouts (id) WHERE status = 'pending';
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
