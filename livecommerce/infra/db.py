"""PostgreSQL through Piccolo: the pool, migrations and a readiness probe.

Hot paths use the asyncpg connection of the current Piccolo transaction (`tx.connection`)
with hand-written SQL; Piccolo owns the schema and the migrations.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator

from asyncpg import Connection
from piccolo.engine.postgres import PostgresEngine

from livecommerce.settings import Settings


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


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[Connection]:
    """One database transaction; Piccolo queries inside it join it, hot paths use the asyncpg connection."""
    async with engine().transaction() as tx:
        yield tx.connection


@contextlib.asynccontextmanager
async def connection() -> AsyncIterator[Connection]:
    """A pooled connection for reads outside a transaction."""
    pool = engine().pool
    if pool is None:
        raise RuntimeError("no connection pool")
    async with pool.acquire() as conn:
        yield conn
