"""Flash sales (秒杀): a sale reserves its quantity out of the SKU's stock when it is made and
gives back what is left when it ends, so buyers never lock the SKU's row. Each unit of a sale is
held by at most one order: (sale_id, unit_no) is unique, so PostgreSQL refuses a second holder
even if the Redis gate in front of it were rebuilt wrongly; a unit the sale gave back to the
SKU at its end is a row with no order, so a late order can't take it either. Order items whose
units were reserved that way are marked, and restocking them is the sale's business."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "marketing: flash sales and their units"

SQL = """
ALTER TABLE order_items ADD COLUMN IF NOT EXISTS stock_reserved boolean NOT NULL DEFAULT false;
CREATE TABLE IF NOT EXISTS flash_sales (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  room_id integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  product_id integer NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  sku_id integer NOT NULL REFERENCES skus (id) ON DELETE CASCADE,
  price bigint NOT NULL,
  list_price bigint NOT NULL,
  lowest_30d bigint NOT NULL,
  quantity integer NOT NULL,
  per_user_limit integer NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status varchar(8) NOT NULL DEFAULT 'active',
  -- Written when it ends: units sold (held by orders) and given back to the SKU.
  sold integer NULL,
  returned integer NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz NULL,
  CONSTRAINT flash_sales_status CHECK (status IN ('active', 'ended')),
  CONSTRAINT flash_sales_terms CHECK (price > 0 AND quantity > 0 AND per_user_limit > 0
    AND per_user_limit <= quantity AND ends_at > starts_at)
);
-- One flash sale per SKU at a time.
CREATE UNIQUE INDEX IF NOT EXISTS flash_sales_one_active_per_sku ON flash_sales (sku_id)
  WHERE status = 'active';
CREATE INDEX IF NOT EXISTS flash_sales_room ON flash_sales (room_id, id);
CREATE INDEX IF NOT EXISTS flash_sales_due ON flash_sales (ends_at) WHERE status = 'active';
-- A unit of a sale: held by an order (order_id, buyer_id set) or given back to the SKU when
-- the sale ended (both NULL). A cancelled order's row is deleted: the unit is free again.
-- No foreign key to flash_sales: every buyer's insert would KEY SHARE-lock the sale's row.
CREATE TABLE IF NOT EXISTS flash_units (
  sale_id integer NOT NULL,
  unit_no integer NOT NULL,
  order_id integer NULL REFERENCES orders (id) ON DELETE CASCADE,
  buyer_id integer NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sale_id, unit_no),
  CONSTRAINT flash_units_held_or_returned CHECK ((order_id IS NULL) = (buyer_id IS NULL))
);
CREATE INDEX IF NOT EXISTS flash_units_order ON flash_units (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS flash_units_buyer ON flash_units (sale_id, buyer_id)
  WHERE buyer_id IS NOT NULL;
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
