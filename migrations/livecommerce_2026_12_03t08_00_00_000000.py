"""Members: one row per (host, buyer) with totals that payments add to atomically, and every
growth movement (+ paid, − refunded per item) under a unique key (domains/members/growth.py)."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "members: one row per (host, buyer) and every growth movement"

SQL = """
CREATE TABLE IF NOT EXISTS members (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  lifetime_spend bigint NOT NULL DEFAULT 0,
  paid_orders integer NOT NULL DEFAULT 0,
  first_paid_at timestamptz NULL,
  last_paid_at timestamptz NULL,
  tier_code varchar(16) NOT NULL DEFAULT '',
  tier_changed_at timestamptz NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT members_one_per_host UNIQUE (host_id, user_id)
);
CREATE INDEX IF NOT EXISTS members_user ON members (user_id);
CREATE INDEX IF NOT EXISTS members_host_last_paid ON members (host_id, last_paid_at);
CREATE TABLE IF NOT EXISTS member_growth (
  id serial PRIMARY KEY,
  member_id integer NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  order_id integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  business_key varchar(64) NOT NULL UNIQUE,
  amount bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS member_growth_member_at ON member_growth (member_id, created_at);
CREATE INDEX IF NOT EXISTS member_growth_order ON member_growth (order_id);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
