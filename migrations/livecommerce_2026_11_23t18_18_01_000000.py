"""Promotions: the expiry sweeper's index of red packets not yet refunded."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T18:18:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "promotions: red packets due for their expiry refund"

SQL = """
CREATE INDEX red_packets_due ON red_packets (expires_at) WHERE refunded_at IS NULL;
CREATE INDEX coupons_dropped_by_room ON coupons (room_id, dropped_at) WHERE dropped_at IS NOT NULL;
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
