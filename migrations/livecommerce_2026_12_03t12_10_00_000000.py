"""Group buys (拼团): a product's group terms (size, hours, a price per SKU, whether group orders
pay commission), the groups buyers open, and their members. A seat is taken only by a paid order
(the paid hook's conditional UPDATE on paid_count; the CHECK is the last word against an
(N+1)th member); one open group per user and product (a partial unique index on the members).
An order held by a forming group carries `held_by` = 'group_buy': it neither ships nor takes
an after-sales request until the group succeeds."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "marketing: group buys (offers, prices, groups, members), orders.held_by"

SQL = """
CREATE TABLE IF NOT EXISTS group_buy_offers (
  product_id integer PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  enabled boolean NOT NULL DEFAULT true,
  group_size smallint NOT NULL,
  hours smallint NOT NULL,
  pays_commission boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT group_buy_offers_size CHECK (group_size BETWEEN 2 AND 50),
  CONSTRAINT group_buy_offers_hours CHECK (hours BETWEEN 1 AND 72)
);
CREATE TABLE IF NOT EXISTS group_buy_prices (
  sku_id integer PRIMARY KEY REFERENCES skus (id) ON DELETE CASCADE,
  product_id integer NOT NULL REFERENCES group_buy_offers (product_id) ON DELETE CASCADE,
  price bigint NOT NULL,
  CONSTRAINT group_buy_prices_positive CHECK (price > 0)
);
CREATE INDEX IF NOT EXISTS group_buy_prices_product ON group_buy_prices (product_id);
CREATE TABLE IF NOT EXISTS group_buys (
  id serial PRIMARY KEY,
  product_id integer NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  leader_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The terms when it was opened: a later edit of the offer does not change a running group.
  group_size smallint NOT NULL,
  hours smallint NOT NULL,
  pays_commission boolean NOT NULL,
  room_id integer NULL,
  status varchar(10) NOT NULL DEFAULT 'pending',
  paid_count smallint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  opened_at timestamptz NULL,
  expires_at timestamptz NULL,
  succeeded_at timestamptz NULL,
  failed_at timestamptz NULL,
  CONSTRAINT group_buys_status CHECK
    (status IN ('pending', 'open', 'succeeded', 'failed', 'abandoned')),
  CONSTRAINT group_buys_seats CHECK (paid_count BETWEEN 0 AND group_size),
  CONSTRAINT group_buys_full CHECK (status <> 'succeeded' OR paid_count = group_size)
);
CREATE INDEX IF NOT EXISTS group_buys_open ON group_buys (product_id, expires_at)
  WHERE status = 'open';
CREATE INDEX IF NOT EXISTS group_buys_due ON group_buys (expires_at)
  WHERE status IN ('open', 'failed');
CREATE TABLE IF NOT EXISTS group_buy_members (
  id serial PRIMARY KEY,
  group_id integer NOT NULL REFERENCES group_buys (id) ON DELETE CASCADE,
  product_id integer NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  order_id integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  seat smallint NULL,
  status varchar(10) NOT NULL DEFAULT 'pending',
  -- The group this buyer paid to join, full or over by then: they lead this one instead.
  rehomed_from integer NULL REFERENCES group_buys (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  paid_at timestamptz NULL,
  CONSTRAINT group_buy_members_order UNIQUE (order_id),
  CONSTRAINT group_buy_members_seat UNIQUE (group_id, seat),
  CONSTRAINT group_buy_members_status CHECK
    (status IN ('pending', 'seated', 'succeeded', 'released', 'refunded')),
  CONSTRAINT group_buy_members_seated CHECK ((seat IS NULL) = (status IN ('pending', 'released')))
);
CREATE UNIQUE INDEX IF NOT EXISTS group_buy_members_one_open
  ON group_buy_members (product_id, user_id) WHERE status IN ('pending', 'seated');
CREATE INDEX IF NOT EXISTS group_buy_members_group ON group_buy_members (group_id, seat);
CREATE INDEX IF NOT EXISTS group_buy_members_user ON group_buy_members (user_id, id);
ALTER TABLE orders ADD COLUMN IF NOT EXISTS held_by varchar(16) NULL;
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
