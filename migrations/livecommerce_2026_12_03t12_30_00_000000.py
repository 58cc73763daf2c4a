"""Tips and gifts (打赏): the platform's gift catalogue (seeded with a few), every tip sent, and
each sender's running totals per business day and per session, which the caps are checked
against by a conditional upsert (marketing/gifts_sending.py)."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T12:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "marketing: gifts, gift tips, tip totals for the caps"

SQL = """
CREATE TABLE IF NOT EXISTS gifts (
  id serial PRIMARY KEY,
  name varchar(16) NOT NULL,
  name_en varchar(32) NOT NULL DEFAULT '',
  -- A committed SVG under /static/gifts/ (no CDN).
  icon varchar(120) NOT NULL,
  price integer NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  sort_order integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT gifts_price CHECK (price BETWEEN 1 AND 10000000)
);

CREATE TABLE IF NOT EXISTS gift_tips (
  id bigserial PRIMARY KEY,
  room_id integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  session_id integer NOT NULL REFERENCES live_sessions (id) ON DELETE CASCADE,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  sender_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  gift_id integer NOT NULL REFERENCES gifts (id),
  -- The gift as it was sent: a later price or name change leaves the tip alone.
  gift_name varchar(16) NOT NULL,
  unit_price integer NOT NULL,
  quantity integer NOT NULL,
  amount bigint NOT NULL,
  fee bigint NOT NULL,
  host_share bigint NOT NULL,
  -- The sender's Idempotency-Key: a retried send is refused here even after the key expired.
  request_key varchar(128) NOT NULL,
  -- The host's escrow bucket the share went into (ledger/buckets.py); the settlement moves it
  -- from there to the host's receivable once the hold is over (settled_at).
  escrow_account_id integer NULL REFERENCES accounts (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  settled_at timestamptz NULL,
  CONSTRAINT gift_tips_quantity CHECK (quantity >= 1),
  CONSTRAINT gift_tips_amount CHECK (amount = unit_price::bigint * quantity),
  CONSTRAINT gift_tips_split CHECK (fee >= 0 AND host_share >= 0 AND fee + host_share = amount),
  CONSTRAINT gift_tips_once UNIQUE (sender_id, request_key)
);
CREATE INDEX IF NOT EXISTS gift_tips_session_sender ON gift_tips (session_id, sender_id);
CREATE INDEX IF NOT EXISTS gift_tips_host ON gift_tips (host_id, created_at);
CREATE INDEX IF NOT EXISTS gift_tips_unsettled ON gift_tips (created_at) WHERE settled_at IS NULL;

-- One row per sender and scope ('d:2026-12-03' a business day, 's:42' a session): the fen sent.
-- A tip raises both rows by a conditional upsert that refuses to pass the cap, so concurrent
-- tips of one sender queue on their own rows only and never sum past a cap.
CREATE TABLE IF NOT EXISTS gift_tip_totals (
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  scope varchar(24) NOT NULL,
  amount bigint NOT NULL,
  tips integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, scope),
  CONSTRAINT gift_tip_totals_amount CHECK (amount >= 0)
);

INSERT INTO gifts (name, name_en, icon, price, enabled, sort_order) VALUES
  ('小心心', 'Heart', '/static/gifts/heart.svg', 10, true, 10),
  ('玫瑰', 'Rose', '/static/gifts/rose.svg', 100, true, 20),
  ('棒棒糖', 'Lollipop', '/static/gifts/lollipop.svg', 500, true, 30),
  ('蛋糕', 'Cake', '/static/gifts/cake.svg', 2000, true, 40),
  ('跑车', 'Sports car', '/static/gifts/car.svg', 9900, true, 50),
  ('火箭', 'Rocket', '/static/gifts/rocket.svg', 50000, true, 60);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
