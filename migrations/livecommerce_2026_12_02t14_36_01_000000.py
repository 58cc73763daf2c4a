"""The host order desk's lookups (a host's orders by status, newest first; the feed of new paid
orders) and the admin's queue of pending host payouts."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

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
    manager = MigrationManager(migration_id=ID, app_name="livecommerce", description=DESCRIPTION)

    async def run():
        # Several statements in one go needs the simple query protocol: asyncpg's execute()
        # without arguments, on the migration's own transaction if any.
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
