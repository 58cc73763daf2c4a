"""PostgreSQL through Piccolo: the pool, migrations and a readiness probe.

Hot paths use the asyncpg connection of the current Piccolo transaction (`tx.connection`)
with hand-written SQL; Piccolo owns the schema and the migrations.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import io
from collections.abc import AsyncIterator, Awaitable, Callable

import structlog
from asyncpg import Connection
from piccolo.engine.postgres import PostgresEngine

from livecommerce.settings import Settings

log = structlog.get_logger("db")


def engine() -> PostgresEngine:
    from livecommerce.piccolo_conf import DB

    return DB


def configure(settings: Settings) -> PostgresEngine:
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL must be resolved before the engine is configured")
    db = engine()
    db.config = {"dsn": settings.database_url}
    return db


async def start_pool(settings: Settings) -> None:
    db = configure(settings)
    if db.pool is None:
        await db.start_connection_pool(min_size=settings.db_pool_min, max_size=settings.db_pool_max)


async def close_pool() -> None:
    db = engine()
    if db.pool is not None:
        await db.close_connection_pool()
        db.pool = None


async def migrate(settings: Settings) -> None:
    """Apply pending migrations (Piccolo's forwards) quietly; raise on failure."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    configure(settings)
    with contextlib.redirect_stdout(io.StringIO()) as out:
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{out.getvalue()}")


async def ping(timeout: float = 2.0) -> None:
    db = engine()
    if db.pool is None:
        raise RuntimeError("no connection pool")
    async with asyncio.timeout(timeout), db.pool.acquire() as conn:
        await conn.fetchval("SELECT 1")


Effect = Callable[[], Awaitable[object]]


class Tx:
    """One database transaction: its connection, and what must happen only once it has committed.

    Anything outside PostgreSQL (a Redis publish or counter, a job enqueue, a notification) is
    registered with `after_commit` and runs after COMMIT, in the order registered; if the
    transaction rolls back, none of it runs. Effects are best effort (the database is the truth
    and every effect has a sweeper or a snapshot behind it): one that fails is logged, and the
    others still run.
    """

    __slots__ = ("_effects", "_finished", "conn")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._effects: list[Effect] = []
        self._finished = False

    def after_commit(self, effect: Effect) -> None:
        if self._finished:
            # Registered once the block had exited (an effect written after the `async with`):
            # its effects have run, so this one would be lost without a word (a giveaway start
            # once lost its room event, window and draw job so). It has committed: run it now,
            # and say where, so it gets fixed.
            log.error("after_commit_too_late", effect=getattr(effect, "__qualname__", repr(effect)))
            task = asyncio.get_running_loop().create_task(_run_one(effect))
            _late.add(task)
            task.add_done_callback(_late.discard)
            return
        self._effects.append(effect)

    async def _run_effects(self) -> None:
        self._finished = True
        effects, self._effects = self._effects, []
        for effect in effects:
            await _run_one(effect)


_late: set[asyncio.Task[None]] = set()  # effects registered too late, running (kept referenced)


async def _run_one(effect: Effect) -> None:
    try:
        await effect()
    except Exception as exc:  # an effect never undoes a committed transaction
        log.warning(
            "after_commit_failed",
            effect=getattr(effect, "__qualname__", repr(effect)),
            error=f"{type(exc).__name__}: {exc}"[:300],
        )


_current: contextvars.ContextVar[Tx | None] = contextvars.ContextVar("current_tx", default=None)


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[Tx]:
    """One database transaction. Piccolo queries inside it join it; hot paths use `tx.conn`.

    Nested inside another transaction of the same task, it is that transaction (effects wait for
    the outer COMMIT).
    """
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    async with engine().transaction() as piccolo_tx:
        tx = Tx(piccolo_tx.connection)
        token = _current.set(tx)
        try:
            yield tx
        finally:
            _current.reset(token)
    await tx._run_effects()


@contextlib.asynccontextmanager
async def connection() -> AsyncIterator[Connection]:
    """A pooled connection for reads outside a transaction."""
    pool = engine().pool
    if pool is None:
        raise RuntimeError("no connection pool")
    async with pool.acquire() as conn:
        yield conn
