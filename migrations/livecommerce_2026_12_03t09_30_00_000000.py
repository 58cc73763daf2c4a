"""Outreach: a host's one-off messages to a segment (campaigns, journey 'broadcast'). Each is
sent by a worker job in chunks through outreach's `reach`; `cursor_user_id` is how far it got,
so a job run again or after a crash goes on from there (and `reach` sends once anyway)."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outreach: campaigns (a host's one-off message to a segment)"

SQL = """
CREATE TABLE IF NOT EXISTS outreach_campaigns (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- The segment as it was named when sent; a segment deleted later leaves the campaign.
  segment_id integer NULL REFERENCES member_segments (id) ON DELETE SET NULL,
  segment_name varchar(40) NOT NULL,
  title varchar(40) NOT NULL,
  body varchar(300) NOT NULL,
  link_kind varchar(8) NOT NULL,
  link_id integer NOT NULL,
  link varchar(64) NOT NULL,
  status varchar(8) NOT NULL DEFAULT 'queued',
  audience integer NOT NULL DEFAULT 0,
  reached integer NOT NULL DEFAULT 0,
  cursor_user_id integer NOT NULL DEFAULT 0,
  created_by_id integer NULL REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz NULL,
  finished_at timestamptz NULL,
  -- Moved by every chunk: the sweeper takes over a campaign that stopped moving.
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT outreach_campaigns_link_kind CHECK (link_kind IN ('room', 'product')),
  CONSTRAINT outreach_campaigns_status CHECK (status IN ('queued', 'sending', 'sent'))
);
CREATE INDEX IF NOT EXISTS outreach_campaigns_host ON outreach_campaigns (host_id, id);
CREATE INDEX IF NOT EXISTS outreach_campaigns_unfinished ON outreach_campaigns (created_at)
  WHERE status <> 'sent';
-- Results: the deliveries that may have led to a host's orders (outreach/attribution.py).
CREATE INDEX IF NOT EXISTS outreach_deliveries_host_delivered
  ON outreach_deliveries (host_id, delivered_at) WHERE delivered_at IS NOT NULL;
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
