"""Distribution: the paid orders attributed to a distributor, by time (team sales this month,
orders per link and per bound buyer), without reading every order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

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
