"""Outreach channels: the site's VAPID key pair (made once, kept: every browser subscription is
bound to its public key), the buyers' Web Push subscriptions, and the hosts' IM bot and SMS
gateway URLs (apprise URLs)."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T09:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outreach: VAPID keys, push subscriptions, hosts' bot and SMS gateway URLs"

SQL = """
CREATE TABLE IF NOT EXISTS outreach_keys (
  name varchar(16) PRIMARY KEY,
  private_key varchar(64) NOT NULL,
  public_key varchar(128) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS outreach_push_subscriptions (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- A browser's endpoint is one subscription: subscribing again (another login, new keys)
  -- takes the row over.
  endpoint varchar(1024) NOT NULL UNIQUE,
  p256dh varchar(100) NOT NULL,
  auth varchar(32) NOT NULL,
  user_agent varchar(200) NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_sent_at timestamptz NULL
);
CREATE INDEX IF NOT EXISTS outreach_push_subscriptions_user
  ON outreach_push_subscriptions (user_id);
CREATE TABLE IF NOT EXISTS outreach_host_channels (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind varchar(8) NOT NULL CHECK (kind IN ('webhook', 'sms')),
  label varchar(40) NOT NULL DEFAULT '',
  url varchar(2000) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS outreach_host_channels_host
  ON outreach_host_channels (host_id, kind);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
