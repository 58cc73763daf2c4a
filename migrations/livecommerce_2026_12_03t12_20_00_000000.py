"""Room follows (关注) and giveaways (福袋, 抽奖): one running giveaway per room, its entries
(each with the masked token the draw ranks) and its winners (one row per prize, by rank)."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T12:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "room follows; giveaways with commit-reveal draws, entries and winners"

SQL = """
CREATE TABLE IF NOT EXISTS room_follows (
  id serial PRIMARY KEY,
  room_id integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT room_follows_one_per_user UNIQUE (room_id, user_id)
);
CREATE INDEX IF NOT EXISTS room_follows_user ON room_follows (user_id);

CREATE TABLE IF NOT EXISTS giveaways (
  id serial PRIMARY KEY,
  room_id integer NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  session_id integer NULL REFERENCES live_sessions (id) ON DELETE SET NULL,
  title varchar(40) NOT NULL,
  prize_kind varchar(12) NOT NULL,
  coupon_id integer NULL REFERENCES coupons (id) ON DELETE RESTRICT,
  -- fen a winner gets (red packet) or the coupon's face value: what the cap is checked on
  prize_value bigint NOT NULL,
  winners_count integer NOT NULL,
  keyword varchar(20) NULL,
  watch_minutes integer NOT NULL DEFAULT 0,
  require_follow boolean NOT NULL DEFAULT false,
  on_unclaimed varchar(8) NOT NULL DEFAULT 'redraw',
  claim_hours integer NOT NULL DEFAULT 48,
  -- commit-reveal: sha256(seed) is public from the start, the seed only once drawn
  seed bytea NOT NULL,
  seed_hash char(64) NOT NULL,
  -- keys the entries' public tokens; never published, so a token names nobody
  token_key bytea NOT NULL,
  status varchar(10) NOT NULL DEFAULT 'running',
  starts_at timestamptz NOT NULL DEFAULT now(),
  ends_at timestamptz NOT NULL,
  drawn_at timestamptz NULL,
  closed_at timestamptz NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT giveaways_prize_kind CHECK (prize_kind IN ('coupon', 'red_packet')),
  CONSTRAINT giveaways_coupon CHECK ((prize_kind = 'coupon') = (coupon_id IS NOT NULL)),
  CONSTRAINT giveaways_status CHECK (status IN ('running', 'drawn', 'closed')),
  CONSTRAINT giveaways_on_unclaimed CHECK (on_unclaimed IN ('redraw', 'lapse')),
  CONSTRAINT giveaways_positive CHECK (prize_value > 0 AND winners_count > 0)
);
-- One at a time per room: a second start while one runs is refused by this index.
CREATE UNIQUE INDEX IF NOT EXISTS giveaways_one_running ON giveaways (room_id)
  WHERE status = 'running';
CREATE INDEX IF NOT EXISTS giveaways_room ON giveaways (room_id, id);
CREATE INDEX IF NOT EXISTS giveaways_due ON giveaways (ends_at) WHERE status = 'running';

-- A viewer's progress in a giveaway; `entered_at` set once every task was done (an entry).
CREATE TABLE IF NOT EXISTS giveaway_entries (
  id serial PRIMARY KEY,
  giveaway_id integer NOT NULL REFERENCES giveaways (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token char(16) NOT NULL,
  masked_name varchar(40) NOT NULL,
  commented_at timestamptz NULL,
  entered_at timestamptz NULL,
  CONSTRAINT giveaway_entries_one_per_user UNIQUE (giveaway_id, user_id),
  CONSTRAINT giveaway_entries_token UNIQUE (giveaway_id, token)
);

CREATE TABLE IF NOT EXISTS giveaway_winners (
  id serial PRIMARY KEY,
  giveaway_id integer NOT NULL REFERENCES giveaways (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- the entry's place in the seed's ranking (0 first); draws take the ranking in order
  rank integer NOT NULL,
  round integer NOT NULL,
  status varchar(8) NOT NULL DEFAULT 'won',
  claim_deadline timestamptz NOT NULL,
  claimed_at timestamptz NULL,
  address jsonb NULL,
  user_coupon_id integer NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT giveaway_winners_status CHECK (status IN ('won', 'claimed', 'lapsed')),
  CONSTRAINT giveaway_winners_one_per_user UNIQUE (giveaway_id, user_id),
  CONSTRAINT giveaway_winners_one_per_rank UNIQUE (giveaway_id, rank)
);
CREATE INDEX IF NOT EXISTS giveaway_winners_user ON giveaway_winners (user_id);
CREATE INDEX IF NOT EXISTS giveaway_winners_due ON giveaway_winners (claim_deadline)
  WHERE status = 'won';
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
