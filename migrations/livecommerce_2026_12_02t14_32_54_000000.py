"""Catalog: removing a SKU checks that no order item names it; the index makes that a lookup."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-02T14:32:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalog: order items by SKU"

SQL = """
CREATE INDEX IF NOT EXISTS order_items_sku_id ON order_items (sku_id);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
