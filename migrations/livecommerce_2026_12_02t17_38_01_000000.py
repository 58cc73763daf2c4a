"""Escalations (table: the migration before): one open per order, and the operator's queue."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

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
    manager = MigrationManager(migration_id=ID, app_name="livecommerce", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        current = engine.current_transaction.get()
        if current is not None:
            await current.connection.execute(SQL)
            return
        conn = await engine.get_new_connection()
        try:
            await conn.execute(SQL)
        finally:
            await conn.close()

    manager.add_raw(run)
    return manager
