"""Retention drops whole days past the window and nothing else; an event for a day without a
partition still lands (the default partition), and moves into its day once that is created."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from livecommerce.domains.analytics import retention
from livecommerce.infra import db

TODAY = date(2026, 12, 3)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def _insert(conn, *days: date) -> None:
    await conn.executemany(
        "INSERT INTO behaviour_events (occurred_at, kind, user_id) VALUES ($1, 'share', 1)",
        [(_at(day),) for day in days],
    )


async def test_a_run_drops_only_the_days_past_retention_and_makes_the_coming_ones(
    migrated,
) -> None:
    await db.start_pool(migrated)
    old, edge, recent = TODAY - timedelta(days=401), TODAY - timedelta(days=400), TODAY
    async with db.connection() as conn:
        await conn.execute(
            "SELECT behaviour_events_ensure_partitions($1::date, 3)", old - timedelta(days=1)
        )
        await conn.execute("SELECT behaviour_events_ensure_partitions($1::date, 1)", edge)
        await _insert(conn, old, edge, recent, TODAY - timedelta(days=700))  # the last: default
        done = await retention.run(conn, 400, today=TODAY)
        days = await retention.partitions(conn)
        kept = [r["occurred_at"] for r in await conn.fetch(
            "SELECT occurred_at FROM behaviour_events ORDER BY 1"
        )]  # fmt: skip
        again = await retention.run(conn, 400, today=TODAY)
    assert sorted(done.dropped) == [
        f"behaviour_events_p{(old + timedelta(days=d)).strftime('%Y%m%d')}" for d in (-1, 0)
    ]
    assert min(days) == edge and all(TODAY + timedelta(days=d) in days for d in range(8))
    assert kept == [_at(edge), _at(recent)]
    assert done.default_rows_deleted == 1
    assert again.created == 0 and again.dropped == [] and again.default_rows_deleted == 0


async def test_an_event_for_a_day_without_partition_lands_and_moves_into_its_day(
    migrated,
) -> None:
    await db.start_pool(migrated)
    far = TODAY + timedelta(days=90)
    async with db.connection() as conn:
        assert far not in await retention.partitions(conn)
        await _insert(conn, far)
        where = "SELECT tableoid::regclass::text FROM behaviour_events WHERE occurred_at = $1"
        assert await conn.fetchval(where, _at(far)) == "behaviour_events_default"
        await retention.run(conn, 400, today=far)
        assert await conn.fetchval(where, _at(far)) == f"behaviour_events_p{far:%Y%m%d}"
        assert await conn.fetchval("SELECT count(*) FROM behaviour_events") == 1
