"""Outreach journeys: each host's journey switches (and the coupon viewed-not-bought gives), each
product's repurchase cycle (the host's, and the one learned from repeat buyers), and the index the
repurchase sweep finds a day's purchases by."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T09:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outreach: journey settings, repurchase cycles, orders by paid time"

SQL = """
CREATE TABLE IF NOT EXISTS outreach_journey_settings (
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  journey varchar(24) NOT NULL,
  enabled boolean NOT NULL,
  coupon_id integer NULL REFERENCES coupons (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (host_id, journey)
);
CREATE TABLE IF NOT EXISTS outreach_product_cycles (
  product_id integer PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The host's cycle (days); NULL: none set, the learned one applies.
  cycle_days integer NULL CHECK (cycle_days BETWEEN 1 AND 730),
  -- Learned by the daily job: the median interval (days) once enough buyers bought twice.
  learned_days integer NULL CHECK (learned_days BETWEEN 1 AND 730),
  median_seconds double precision NULL,
  repeat_buyers integer NOT NULL DEFAULT 0,
  learned_at timestamptz NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS outreach_product_cycles_in_force
  ON outreach_product_cycles ((coalesce(cycle_days, learned_days)))
  WHERE coalesce(cycle_days, learned_days) IS NOT NULL;
-- The repurchase sweep reads the purchases paid on the days whose reminders are due (a few
-- days of orders, not all of them).
CREATE INDEX IF NOT EXISTS orders_paid_at ON orders (paid_at) WHERE paid_at IS NOT NULL;
-- "Bought it again?" (the sweep and the re-check): a buyer's orders are found by buyer_id.
CREATE INDEX IF NOT EXISTS order_items_product_order ON order_items (product_id, order_id);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
