"""Outreach: messages (one per user, journey and period), their deliveries per channel (the
inbox is the `inbox` deliveries), consent per user and channel, and notification preferences."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outreach: messages, deliveries, consents, preferences"

SQL = """
CREATE TABLE IF NOT EXISTS outreach_messages (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  host_id integer NULL REFERENCES users (id) ON DELETE CASCADE,
  journey varchar(24) NOT NULL,
  period varchar(64) NOT NULL,
  template varchar(32) NOT NULL,
  context jsonb NOT NULL DEFAULT '{}'::jsonb,
  link varchar(512) NOT NULL DEFAULT '/',
  campaign_id integer NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT outreach_messages_once_per_period UNIQUE (user_id, journey, period)
);
CREATE INDEX IF NOT EXISTS outreach_messages_host_at ON outreach_messages (host_id, created_at);
CREATE INDEX IF NOT EXISTS outreach_messages_campaign ON outreach_messages (campaign_id)
  WHERE campaign_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS outreach_deliveries (
  id serial PRIMARY KEY,
  message_id integer NOT NULL REFERENCES outreach_messages (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  host_id integer NULL REFERENCES users (id) ON DELETE CASCADE,
  channel varchar(16) NOT NULL,
  status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN
    ('pending', 'deferred', 'sending', 'sent', 'delivered', 'skipped', 'failed')),
  skip_reason varchar(32) NOT NULL DEFAULT '',
  consent varchar(8) NOT NULL DEFAULT '',
  due_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz NULL,
  delivered_at timestamptz NULL,
  opened_at timestamptz NULL,
  clicked_at timestamptz NULL,
  error varchar(300) NOT NULL DEFAULT '',
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT outreach_deliveries_one_per_channel UNIQUE (message_id, channel)
);
-- The frequency cap: what went to this user on this channel lately.
CREATE INDEX IF NOT EXISTS outreach_deliveries_cap ON outreach_deliveries (user_id, channel, sent_at)
  WHERE status IN ('sending', 'sent', 'delivered');
-- The host's daily cap.
CREATE INDEX IF NOT EXISTS outreach_deliveries_host_sent ON outreach_deliveries (host_id, sent_at)
  WHERE status IN ('sending', 'sent', 'delivered');
-- The sweeper: what is due and not done.
CREATE INDEX IF NOT EXISTS outreach_deliveries_due ON outreach_deliveries (due_at)
  WHERE status IN ('pending', 'deferred', 'sending');
-- The inbox, newest first, and its unread count.
CREATE INDEX IF NOT EXISTS outreach_deliveries_inbox ON outreach_deliveries (user_id, id DESC)
  WHERE channel = 'inbox' AND status IN ('sent', 'delivered');
CREATE TABLE IF NOT EXISTS outreach_consents (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  channel varchar(16) NOT NULL,
  host_id integer NOT NULL DEFAULT 0,
  standing boolean NOT NULL DEFAULT false,
  once_left integer NOT NULL DEFAULT 0 CHECK (once_left >= 0),
  muted boolean NOT NULL DEFAULT false,
  revoked_at timestamptz NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT outreach_consents_one_per_scope UNIQUE (user_id, channel, host_id)
);
CREATE TABLE IF NOT EXISTS outreach_preferences (
  user_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  lang varchar(8) NOT NULL DEFAULT '',
  time_zone varchar(64) NOT NULL DEFAULT '',
  quiet_hours varchar(11) NOT NULL DEFAULT '',
  email varchar(254) NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now()
);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
