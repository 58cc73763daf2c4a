"""Catalog: removing a SKU checks that no order item names it; the index makes that a lookup."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T14:32:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalog: order items by SKU"

SQL = """
CREATE INDEX IF NOT EXISTS order_items_sku_id ON order_items (sku_id);
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
