"""Behaviour events' daily partitions: the coming days created ahead, the days past the
retention window dropped whole (a DROP TABLE, not a DELETE: no dead rows, no vacuum).

Idempotent, and safe to run twice at once: creating is `behaviour_events_ensure_partitions`
(migration 2026-12-03T08:30:00) under an advisory lock, dropping takes the same lock. An insert
for a day whose partition is missing still lands, in the default partition; the next run moves
those rows into the day's new partition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from asyncpg import Connection

AHEAD_DAYS = 7
_PARTITION = re.compile(r"^behaviour_events_p(\d{8})$")


@dataclass(frozen=True, slots=True)
class RetentionRun:
    created: int
    dropped: list[str]
    default_rows_deleted: int


async def partitions(conn: Connection) -> dict[date, str]:
    """The daily partitions that exist: day -> table name."""
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'behaviour_events'::regclass"
    )
    found: dict[date, str] = {}
    for row in rows:
        match = _PARTITION.match(row["relname"])
        if match:
            found[datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=UTC).date()] = row[
                "relname"
            ]
    return found


async def run(
    conn: Connection, keep_days: int, *, today: date | None = None, ahead: int = AHEAD_DAYS
) -> RetentionRun:
    """Create yesterday's to `ahead` days' partitions, drop those wholly before
    `today - keep_days`, and delete default-partition rows that old. One transaction."""
    today = today or datetime.now(UTC).date()
    cutoff = today - timedelta(days=keep_days)
    async with conn.transaction():
        created = await conn.fetchval(
            "SELECT behaviour_events_ensure_partitions($1::date, $2)",
            max(today - timedelta(days=1), cutoff),
            ahead + 2,
        )
        dropped = []
        for day, name in sorted((await partitions(conn)).items()):
            if day < cutoff:
                await conn.execute(f'DROP TABLE IF EXISTS "{name}"')
                dropped.append(name)
        status = await conn.execute(
            "DELETE FROM behaviour_events_default WHERE occurred_at < $1",
            datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=UTC),
        )
    return RetentionRun(int(created or 0), dropped, int(status.split()[-1]))
