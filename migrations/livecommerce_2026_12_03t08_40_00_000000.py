"""Members' CRM: host staff, tags (rule and manual) with evidence and expiry, notes, follow-up
status with its history, and saved segments (domains/members/staff.py, tags.py, segments.py)."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T08:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "members crm: host staff, tags, notes, follow-up, segments"

SQL = """
CREATE TABLE IF NOT EXISTS host_staff (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  added_by_id integer NULL REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT host_staff_one_host UNIQUE (user_id),
  CONSTRAINT host_staff_not_self CHECK (host_id <> user_id)
);
CREATE INDEX IF NOT EXISTS host_staff_host ON host_staff (host_id);

CREATE TABLE IF NOT EXISTS member_tag_defs (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name varchar(24) NOT NULL,
  colour varchar(7) NOT NULL DEFAULT '#888888',
  created_by_id integer NULL REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT member_tag_defs_name UNIQUE (host_id, name),
  CONSTRAINT member_tag_defs_colour CHECK (colour ~ '^#[0-9a-f]{6}$')
);

CREATE TABLE IF NOT EXISTS member_tags (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind varchar(8) NOT NULL,
  code varchar(48) NOT NULL,
  tag_def_id integer NULL REFERENCES member_tag_defs (id) ON DELETE CASCADE,
  evidence jsonb NOT NULL DEFAULT '{}'::jsonb,
  expires_at timestamptz NULL,
  added_by_id integer NULL REFERENCES users (id) ON DELETE SET NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT member_tags_once UNIQUE (host_id, user_id, code),
  CONSTRAINT member_tags_kind CHECK (kind IN ('rule', 'manual')),
  CONSTRAINT member_tags_manual_def CHECK ((kind = 'manual') = (tag_def_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS member_tags_host_code ON member_tags (host_id, code);
CREATE INDEX IF NOT EXISTS member_tags_def ON member_tags (tag_def_id);

CREATE TABLE IF NOT EXISTS member_tag_rules (
  id serial PRIMARY KEY,
  host_id integer NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  config jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS member_notes (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  author_id integer NULL REFERENCES users (id) ON DELETE SET NULL,
  body varchar(2000) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS member_notes_member ON member_notes (host_id, user_id, id);

CREATE TABLE IF NOT EXISTS member_followups (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status varchar(16) NOT NULL DEFAULT 'todo',
  updated_by_id integer NULL REFERENCES users (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT member_followups_one UNIQUE (host_id, user_id),
  CONSTRAINT member_followups_status CHECK (status IN ('todo', 'in_progress', 'won', 'lost'))
);
CREATE TABLE IF NOT EXISTS member_followup_history (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  from_status varchar(16) NOT NULL,
  to_status varchar(16) NOT NULL,
  actor_id integer NULL REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS member_followup_history_member
  ON member_followup_history (host_id, user_id, id);

CREATE TABLE IF NOT EXISTS member_segments (
  id serial PRIMARY KEY,
  host_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name varchar(40) NOT NULL,
  filters jsonb NOT NULL,
  created_by_id integer NULL REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT member_segments_name UNIQUE (host_id, name)
);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
