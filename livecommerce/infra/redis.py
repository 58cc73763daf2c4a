"""Redis through redis-py asyncio: one client per process (arq's subclass, so it can enqueue jobs)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from arq.connections import ArqRedis
from redis.asyncio import BlockingConnectionPool, Redis
from redis.commands.core import AsyncScript


def connect(url: str) -> ArqRedis:
    # Short timeouts: a dead Redis must turn into a clear error fast, not a hung request.
    # A blocking pool: past `max_connections` in flight a command waits (up to `timeout`) for a
    # free connection. The plain pool raises "Too many connections" at once, which turned a
    # burst of 2,000 room joins (bench/grab, websocket) into 1,749 failed sockets.
    pool = BlockingConnectionPool.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=15,
        max_connections=512,
        timeout=5,
    )
    return ArqRedis(pool_or_conn=pool)


def load_script(redis: Redis, path: Path) -> AsyncScript:
    """A Lua script from a file, called by SHA with automatic reload after a Redis restart."""
    return redis.register_script(path.read_text())


async def ping(redis: Redis, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        await redis.ping()
