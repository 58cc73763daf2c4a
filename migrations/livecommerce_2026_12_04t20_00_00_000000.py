"""Giveaways: a product as the prize (实物奖品). The host names one of its SKUs; the prize units
are set aside from the SKU's stock when the giveaway starts, a winner's claim turns one into a
zero-price order (linked from the winner's row), and units nobody gets go back to the SKU once
each, under a unique (giveaway, key) row."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-04T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "giveaways: product prizes (reserved SKU units, zero-price prize orders)"

SQL = """
ALTER TABLE giveaways ADD COLUMN IF NOT EXISTS sku_id integer NULL
  REFERENCES skus (id) ON DELETE RESTRICT;
ALTER TABLE giveaways DROP CONSTRAINT IF EXISTS giveaways_prize_kind;
ALTER TABLE giveaways ADD CONSTRAINT giveaways_prize_kind
  CHECK (prize_kind IN ('coupon', 'red_packet', 'product'));
ALTER TABLE giveaways DROP CONSTRAINT IF EXISTS giveaways_sku;
ALTER TABLE giveaways ADD CONSTRAINT giveaways_sku
  CHECK ((prize_kind = 'product') = (sku_id IS NOT NULL));

-- The zero-price order a product prize's claim made: one per winner, claimed twice it is the same.
ALTER TABLE giveaway_winners ADD COLUMN IF NOT EXISTS order_id integer NULL
  REFERENCES orders (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX IF NOT EXISTS giveaway_winners_order ON giveaway_winners (order_id)
  WHERE order_id IS NOT NULL;

-- Prize units given back to the SKU (not drawn, or lapsed): each key once, as a ledger key is.
CREATE TABLE IF NOT EXISTS giveaway_stock_returns (
  id serial PRIMARY KEY,
  giveaway_id integer NOT NULL REFERENCES giveaways (id) ON DELETE CASCADE,
  key varchar(32) NOT NULL,
  sku_id integer NOT NULL REFERENCES skus (id) ON DELETE CASCADE,
  units integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT giveaway_stock_returns_once UNIQUE (giveaway_id, key),
  CONSTRAINT giveaway_stock_returns_units CHECK (units > 0)
);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
