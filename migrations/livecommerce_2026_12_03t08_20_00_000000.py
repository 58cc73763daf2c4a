"""Member points: each host's points settings, every order's earned points with their freeze
(what is still frozen, what was taken back, what could not be), and on each order the points
spent on it and the discount they bought (domains/members/points*.py). The balances themselves
are ledger accounts (`pts:{host}`, `ptf:{host}`, `points_issuer`), not tables here."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T08:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "members: points settings, points earned per order, points spent on orders"

SQL = """
CREATE TABLE IF NOT EXISTS points_settings (
  host_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  earn_bp integer NOT NULL,
  frozen_days integer NOT NULL,
  points_per_yuan integer NOT NULL,
  cap_bp integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by_id integer NULL REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT points_settings_ranges CHECK (
    earn_bp BETWEEN 0 AND 10000 AND frozen_days BETWEEN 0 AND 365
    AND points_per_yuan BETWEEN 1 AND 100000 AND cap_bp BETWEEN 0 AND 10000)
);
CREATE TABLE IF NOT EXISTS points_earnings (
  order_id integer PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  points bigint NOT NULL,
  kept_amount bigint NOT NULL,
  frozen_left bigint NOT NULL,
  taken_back bigint NOT NULL DEFAULT 0,
  shortfall bigint NOT NULL DEFAULT 0,
  thaw_at timestamptz NOT NULL,
  thawed_at timestamptz NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT points_earnings_amounts CHECK (
    points > 0 AND kept_amount > 0 AND frozen_left BETWEEN 0 AND points
    AND taken_back BETWEEN 0 AND points AND shortfall BETWEEN 0 AND taken_back)
);
CREATE INDEX IF NOT EXISTS points_earnings_member ON points_earnings (host_id, user_id);
CREATE INDEX IF NOT EXISTS points_earnings_due ON points_earnings (thaw_at)
  WHERE thawed_at IS NULL;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS points_used bigint NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS points_discount bigint NOT NULL DEFAULT 0;
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
