"""Redis through redis-py asyncio: one client per process (arq's subclass, so it can enqueue
jobs)."""

from __future__ import annotations

import asyncio
import collections
from pathlib import Path
from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool, Redis
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError


class WaitingPool(ConnectionPool):
    """redis-py's pool, but past `max_connections` a command waits for a free connection.

    The plain pool raises "Too many connections" at once: a burst of 2,000 room joins
    (bench/grab.py, websocket) lost 1,749 sockets. redis-py's BlockingConnectionPool waits,
    but takes an asyncio.Condition and a timeout on every command and release: with it the
    grab bench's get_connection + timeout were ~24 % of the server's samples (py-spy). Here
    the common case is the plain pool's; only an exhausted pool pays for waiting.
    """

    def __init__(self, *args: Any, wait_timeout: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wait_timeout = wait_timeout
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def get_connection(self, command_name: Any, *keys: Any, **options: Any) -> Any:
        if (
            not self._available_connections
            and len(self._in_use_connections) >= self.max_connections
        ):
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.wait_timeout
            while (
                not self._available_connections
                and len(self._in_use_connections) >= self.max_connections
            ):
                waiter = loop.create_future()
                self._waiters.append(waiter)
                try:
                    await asyncio.wait_for(waiter, max(0.0, deadline - loop.time()))
                except TimeoutError:
                    raise RedisConnectionError("No connection available.") from None
        return await super().get_connection(command_name, *keys, **options)

    async def release(self, connection: Any) -> None:
        await super().release(connection)
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                break


def connect(url: str) -> ArqRedis:
    # Short timeouts: a dead Redis must turn into a clear error fast, not a hung request.
    pool = WaitingPool.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=15,
        max_connections=512,
    )
    return ArqRedis(pool_or_conn=pool)


def load_script(redis: Redis, path: Path) -> AsyncScript:
    """A Lua script from a file, called by SHA with automatic reload after a Redis restart."""
    return redis.register_script(path.read_text())


async def ping(redis: Redis, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        await redis.ping()
