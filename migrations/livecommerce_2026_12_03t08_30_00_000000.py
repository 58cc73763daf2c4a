"""Behaviour events: every event kept, in a table range-partitioned by UTC day on occurred_at.

A DEFAULT partition catches any day whose partition does not exist yet, so an insert never
fails; `behaviour_events_ensure_partitions(first, days)` creates daily partitions (moving any
rows of that day out of the default first) and is run here, by the app at startup and by the
retention cron job (domains/analytics/retention.py), which also drops partitions past the
retention window. No primary key: events are append-only facts, read by range and by index.
"""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "analytics: behaviour_events partitioned by day, with a default partition"

SQL = """
CREATE TABLE IF NOT EXISTS behaviour_events (
  occurred_at timestamptz NOT NULL,
  kind varchar(24) NOT NULL,
  user_id integer NULL,
  guest_id varchar(40) NULL,
  host_id integer NULL,
  room_id integer NULL,
  session_id integer NULL,
  product_id integer NULL,
  distributor_id integer NULL,
  channel varchar(16) NULL,
  device varchar(16) NULL,
  order_id integer NULL,
  amount bigint NULL,
  watch_seconds integer NULL
) PARTITION BY RANGE (occurred_at);

CREATE TABLE IF NOT EXISTS behaviour_events_default PARTITION OF behaviour_events DEFAULT;

-- One index, because each one costs every insert: with two, (host_id, session_id, kind) and
-- (user_id, occurred_at), the batch writer kept about half of a bare COPY's rate, with this one
-- alone 0.87 of it (bench/funnel.py, 2,000,000 events). A host's funnels find their days by partition and the
-- host by the first column (a session's funnel filters its session there); a customer's
-- history is (host, user) by time.
CREATE INDEX IF NOT EXISTS behaviour_events_host_user_at
  ON behaviour_events (host_id, user_id, occurred_at);

CREATE OR REPLACE FUNCTION behaviour_events_ensure_partitions(first_day date, days integer)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  day date;
  name text;
  lo timestamptz;
  hi timestamptz;
  created integer := 0;
BEGIN
  -- One creator at a time (app startup and the cron job may overlap); the lock ends with the
  -- caller's transaction.
  PERFORM pg_advisory_xact_lock(hashtext('behaviour_events_partitions'));
  FOR i IN 0 .. greatest(days, 1) - 1 LOOP
    day := first_day + i;
    name := 'behaviour_events_p' || to_char(day, 'YYYYMMDD');
    lo := (day::timestamp AT TIME ZONE 'UTC');
    hi := ((day + 1)::timestamp AT TIME ZONE 'UTC');
    IF to_regclass(name) IS NULL THEN
      -- Rows of this day already in the default partition would make ATTACH fail: move them.
      EXECUTE format('CREATE TABLE %I (LIKE behaviour_events INCLUDING DEFAULTS)', name);
      EXECUTE format(
        'WITH moved AS (DELETE FROM behaviour_events_default'
        ' WHERE occurred_at >= %L AND occurred_at < %L RETURNING *)'
        ' INSERT INTO %I SELECT * FROM moved', lo, hi, name);
      EXECUTE format(
        'ALTER TABLE %I ADD CONSTRAINT %I CHECK (occurred_at >= %L AND occurred_at < %L)',
        name, name || '_range', lo, hi);
      EXECUTE format(
        'ALTER TABLE behaviour_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
        name, lo, hi);
      -- The CHECK only spared ATTACH a scan of the new table; the bound now says the same.
      EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', name, name || '_range');
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END
$fn$;

SELECT behaviour_events_ensure_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
