"""Where behaviour events go and are read from: one interface, PostgreSQL behind it today.

`record(events)` never waits and never fails its caller: events are buffered in this process
and written in batches (COPY) by a background task every `interval` seconds, or as soon as
`batch_size` are waiting, and on shutdown (`close`). Writes use their own pooled connection,
never a request's transaction: a request that records an event is not slowed or rolled back by
it, and a write that fails is retried on the next round, then dropped (and counted) rather than
growing the buffer without end. Events are best effort by design; money is counted from orders.

Reads (funnels, visitors) sit behind the same `EventStore` protocol, so a column store can take
very large hosts later without touching the callers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

import structlog
from asyncpg import Pool
from asyncpg.exceptions import DataError

from livecommerce.domains.analytics import funnel_sql
from livecommerce.domains.analytics.events import COLUMNS, Event
from livecommerce.domains.analytics.funnel_sql import FunnelQuery

log = structlog.get_logger("analytics.store")

TABLE = "behaviour_events"


class EventStore(Protocol):
    def record(self, events: Iterable[Event]) -> None: ...

    async def flush(self) -> int: ...

    async def close(self) -> None: ...

    async def funnel(self, query: FunnelQuery) -> list[int]: ...

    async def visitors_by_session(self, host_id: int, session_ids: Sequence[int]) -> dict[int, int]:
        """Distinct viewers who entered each session's room (room_enter) while it ran."""
        ...

    async def visitors_by_day(
        self, host_id: int, since: datetime, until: datetime
    ) -> dict[date, int]:
        """Distinct viewers entering any of the host's rooms per UTC day."""
        ...


class PostgresEventStore:
    """The batch writer and the reader over `behaviour_events`."""

    def __init__(
        self,
        pool: Pool | None = None,
        *,
        batch_size: int = 50_000,
        interval: float = 0.5,
        parallel: int = 2,
        max_buffer: int = 500_000,
        max_attempts: int = 3,
        work_mem_mb: int = 64,
        funnel_shards: int = 2,
    ) -> None:
        self._pool = pool  # None: the app's pool (infra/db.py), looked up at each write
        self.batch_size = batch_size
        self.interval = interval
        self.parallel = parallel
        self.max_buffer = max_buffer
        self.max_attempts = max_attempts
        self.work_mem_mb = work_mem_mb
        self.funnel_shards = max(1, funnel_shards)
        self._buffer: list[Event] = []
        self._failures = 0
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._closing = False
        self.written = 0
        self.dropped = 0

    # --- writing ---------------------------------------------------------------------------

    def record(self, events: Iterable[Event]) -> None:
        """Queue events for the next batch. Never blocks, never raises for a full buffer: past
        `max_buffer` (the database gone for a long while) the oldest are dropped and counted."""
        self._buffer.extend(events)
        over = len(self._buffer) - self.max_buffer
        if over > 0:
            del self._buffer[:over]
            self.dropped += over
            log.warning("events_dropped", count=over, reason="buffer full")
        self._ensure_running()
        if len(self._buffer) >= self.batch_size and self._wake is not None:
            self._wake.set()

    def pending(self) -> int:
        return len(self._buffer)

    def discard(self) -> int:
        """Forget what is buffered (tests: a test's leftovers must not land in the next one)."""
        count = len(self._buffer)
        self._buffer.clear()
        return count

    def _ensure_running(self) -> None:
        if self._closing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a script): `flush()` writes them
        if self._task is not None and not self._task.done() and self._task.get_loop() is loop:
            return
        # A new event loop (tests, a restarted worker): the old task and primitives are gone.
        self._wake, self._lock = asyncio.Event(), asyncio.Lock()
        self._task = loop.create_task(self._run(), name="analytics-event-writer")

    async def _run(self) -> None:
        assert self._wake is not None
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()
            try:
                await self._drain()
            except Exception:  # the writer outlives any one failure
                log.exception("events_flush_failed")

    async def _drain(self) -> int:
        """Write everything buffered now, `parallel` batches at a time; returns rows written."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        total = 0
        async with self._lock:
            while self._buffer:
                take = self.batch_size * self.parallel
                chunk = self._buffer[:take]
                del self._buffer[:take]
                batches = [
                    chunk[i : i + self.batch_size] for i in range(0, len(chunk), self.batch_size)
                ]
                results = await asyncio.gather(
                    *(self._write(batch) for batch in batches), return_exceptions=True
                )
                failed: list[Event] = []
                for batch, result in zip(batches, results, strict=True):
                    if isinstance(result, BaseException):
                        failed.extend(self._after_failure(batch, result))
                    else:
                        total += result
                if failed:
                    # Back in front, in order; the next round tries again (the database may be
                    # restarting). Stop this drain so a dead database isn't hammered in a loop.
                    self._buffer[:0] = failed
                    break
                self._failures = 0
        return total

    def _after_failure(self, batch: list[Event], error: BaseException) -> list[Event]:
        if isinstance(error, DataError):
            # A row PostgreSQL refuses (a value that does not fit) would fail forever.
            self.dropped += len(batch)
            log.warning("events_dropped", count=len(batch), reason=str(error)[:200])
            return []
        self._failures += 1
        if self._failures >= self.max_attempts * max(1, self.parallel):
            self.dropped += len(batch)
            log.warning("events_dropped", count=len(batch), reason=str(error)[:200])
            return []
        log.warning("events_write_retry", count=len(batch), error=str(error)[:200])
        return batch

    async def _write(self, batch: list[Event]) -> int:
        pool = self._pool or _app_pool()
        async with pool.acquire() as conn:
            await conn.copy_records_to_table(TABLE, records=batch, columns=COLUMNS)
        self.written += len(batch)
        return len(batch)

    async def flush(self) -> int:
        """Write what is buffered now (and wait for a write under way); returns rows written."""
        return await self._drain()

    async def close(self) -> None:
        """Stop the background writer and write what is left (app and worker shutdown)."""
        self._closing = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            if self._wake is not None:
                self._wake.set()
            if task.get_loop() is asyncio.get_running_loop():
                with contextlib.suppress(Exception):
                    await task
        with contextlib.suppress(Exception):
            await self._drain()
        if self._buffer:
            log.warning("events_lost_at_shutdown", count=len(self._buffer))
        self._closing = False

    # --- reading ---------------------------------------------------------------------------

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        pool = self._pool or _app_pool()
        async with pool.acquire() as conn, conn.transaction(readonly=True):
            # A funnel sorts one host's events by viewer: in memory, not in temp files.
            await conn.execute(
                f"SET LOCAL work_mem = '{int(self.work_mem_mb)}MB'; SET LOCAL jit = off"
            )
            return list(await conn.fetch(sql, *args))

    async def funnel(self, query: FunnelQuery) -> list[int]:
        """Viewers reaching each step, in one pass over the events (funnel_sql.py). PostgreSQL
        runs window functions on one core; split by viewer, `funnel_shards` queries at once use
        as many (each viewer is in one shard, so their counts add up)."""
        shards = self.funnel_shards
        parts = await asyncio.gather(
            *(
                self._fetch(*_spread(funnel_sql.funnel(query, shard=(i, shards))))
                for i in range(shards)
            )
        )
        return [
            sum(int(rows[0][f"s{i}"] or 0) for rows in parts)
            for i in range(1, len(query.steps) + 1)
        ]

    async def visitors_by_session(self, host_id: int, session_ids: Sequence[int]) -> dict[int, int]:
        if not session_ids:
            return {}
        rows = await self._fetch(
            "SELECT session_id, count(DISTINCT (user_id, guest_id)) AS n FROM behaviour_events"
            " WHERE host_id = $1 AND session_id = ANY($2::int[]) AND kind = 'room_enter'"
            " AND (user_id IS NOT NULL OR guest_id IS NOT NULL) GROUP BY session_id",
            host_id,
            list(session_ids),
        )
        return {int(r["session_id"]): int(r["n"]) for r in rows}

    async def visitors_by_day(
        self, host_id: int, since: datetime, until: datetime
    ) -> dict[date, int]:
        rows = await self._fetch(
            "SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day,"
            " count(DISTINCT (user_id, guest_id)) AS n FROM behaviour_events"
            " WHERE host_id = $1 AND occurred_at >= $2 AND occurred_at < $3"
            " AND kind = 'room_enter' AND (user_id IS NOT NULL OR guest_id IS NOT NULL)"
            " GROUP BY 1",
            host_id,
            since,
            until,
        )
        return {r["day"]: int(r["n"]) for r in rows}


def _spread(built: tuple[str, list[Any]]) -> tuple[Any, ...]:
    sql, args = built
    return (sql, *args)


def _app_pool() -> Pool:
    from livecommerce.infra import db

    pool = db.engine().pool
    if pool is None:
        raise RuntimeError("no database pool to write events with")
    return pool


# The process's store: created on first use (the api and the worker both record), replaced with
# `use()` (a column store, a test double), closed by the app's and the worker's shutdown.
_store: EventStore | None = None


def store() -> EventStore:
    global _store
    if _store is None:
        _store = PostgresEventStore()
    return _store


def use(replacement: EventStore) -> None:
    global _store
    _store = replacement


def record(events: Iterable[Event]) -> None:
    """Keep these events (buffered; written within `interval`). Never raises."""
    try:
        store().record(events)
    except Exception:
        log.exception("events_not_recorded")


async def flush() -> int:
    return await store().flush()


async def close() -> None:
    if _store is not None:
        await _store.close()
