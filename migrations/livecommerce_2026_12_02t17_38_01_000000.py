"""Escalations (table: the migration before): one open per order, and the operator's queue."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-02T17:38:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "orders: one open escalation per order; escalations and rejected refunds by time"

SQL = """
CREATE UNIQUE INDEX IF NOT EXISTS order_escalations_one_open
  ON order_escalations (order_id) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS order_escalations_created ON order_escalations (created_at);
CREATE INDEX IF NOT EXISTS refunds_rejected_by_time ON refunds (decided_at)
  WHERE status = 'rejected';
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
