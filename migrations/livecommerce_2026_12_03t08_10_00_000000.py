"""Member tiers and benefits: a host's ladder and window, its tiers, per-tier benefits, member
prices, grants unique per (member, benefit, period), personal member-day red packets and the edge
at which each member's tier was last evaluated (domains/members/tier_tables.py)."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T08:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "members: tiers, benefits, grants once per period, member-day packets"

SQL = """
CREATE TABLE IF NOT EXISTS member_tier_ladders (
  id serial PRIMARY KEY,
  host_id integer NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  window_kind varchar(8) NOT NULL,
  window_days integer NULL,
  timezone varchar(40) NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ladder_window_known CHECK (
    (window_kind IN ('all', 'month') AND window_days IS NULL)
    OR (window_kind = 'days' AND window_days BETWEEN 1 AND 730))
);
CREATE TABLE IF NOT EXISTS member_tiers (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code varchar(16) NOT NULL,
  name varchar(16) NOT NULL,
  threshold bigint NOT NULL CHECK (threshold >= 0),
  position integer NOT NULL CHECK (position BETWEEN 0 AND 7),
  CONSTRAINT tier_code_unique UNIQUE (host_id, code),
  CONSTRAINT tier_position_unique UNIQUE (host_id, position)
);
CREATE TABLE IF NOT EXISTS member_benefits (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tier_code varchar(16) NOT NULL,
  kind varchar(16) NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  coupon_id integer NULL REFERENCES coupons (id) ON DELETE CASCADE,
  amount bigint NULL,
  rule varchar(120) NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT benefit_one_per_kind UNIQUE (host_id, tier_code, kind),
  CONSTRAINT benefit_kind_known CHECK (
    (kind = 'voucher' AND coupon_id IS NOT NULL)
    OR (kind = 'red_packet' AND amount >= 1 AND rule IS NOT NULL)
    OR kind = 'member_price')
);
CREATE TABLE IF NOT EXISTS member_prices (
  id serial PRIMARY KEY,
  benefit_id integer NOT NULL REFERENCES member_benefits (id) ON DELETE CASCADE,
  sku_id integer NOT NULL REFERENCES skus (id) ON DELETE CASCADE,
  price bigint NOT NULL CHECK (price >= 0),
  CONSTRAINT member_price_unique UNIQUE (benefit_id, sku_id)
);
CREATE INDEX IF NOT EXISTS member_prices_sku ON member_prices (sku_id);
CREATE TABLE IF NOT EXISTS benefit_grants (
  id serial PRIMARY KEY,
  member_id integer NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  benefit_id integer NOT NULL REFERENCES member_benefits (id) ON DELETE CASCADE,
  period varchar(16) NOT NULL,
  user_coupon_id integer NULL REFERENCES user_coupons (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT benefit_grant_once UNIQUE (member_id, benefit_id, period)
);
CREATE INDEX IF NOT EXISTS benefit_grants_benefit_period ON benefit_grants (benefit_id, period);
CREATE TABLE IF NOT EXISTS member_packets (
  id serial PRIMARY KEY,
  grant_id integer NOT NULL UNIQUE REFERENCES benefit_grants (id) ON DELETE CASCADE,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  amount bigint NOT NULL CHECK (amount >= 1),
  status varchar(8) NOT NULL DEFAULT 'sealed',
  expires_at timestamptz NOT NULL,
  settled_at timestamptz NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT member_packet_status_known CHECK (
    (status = 'sealed' AND settled_at IS NULL)
    OR (status IN ('opened', 'returned') AND settled_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS member_packets_user ON member_packets (user_id, host_id, status);
CREATE INDEX IF NOT EXISTS member_packets_due ON member_packets (expires_at)
  WHERE status = 'sealed';
CREATE TABLE IF NOT EXISTS member_tier_evaluations (
  id serial PRIMARY KEY,
  member_id integer NOT NULL UNIQUE REFERENCES members (id) ON DELETE CASCADE,
  edge timestamptz NOT NULL
);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
