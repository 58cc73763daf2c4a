"""The Redis pool waits for a free connection past its size instead of failing at once."""

from __future__ import annotations

import asyncio

from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from livecommerce.infra.redis import WaitingPool


async def _burst(pool: ConnectionPool, n: int) -> list[object]:
    client = Redis(connection_pool=pool)
    try:
        # BLPOP on an empty list holds its connection for 50 ms: n of them at once need n
        # connections.
        return await asyncio.gather(
            *(client.blpop([f"pool-test-{i}"], timeout=0.05) for i in range(n)),
            return_exceptions=True,
        )
    finally:
        await pool.disconnect()


async def test_a_burst_past_the_pool_size_waits_for_connections(servers) -> None:
    results = await _burst(WaitingPool.from_url(servers["redis_url"], max_connections=3), 30)
    assert results == [None] * 30


async def test_the_plain_pool_would_have_failed_the_same_burst(servers) -> None:
    results = await _burst(ConnectionPool.from_url(servers["redis_url"], max_connections=3), 30)
    assert any(isinstance(r, RedisConnectionError) for r in results)


async def test_a_wait_past_the_timeout_is_a_connection_error(servers) -> None:
    pool = WaitingPool.from_url(servers["redis_url"], max_connections=1, wait_timeout=0.01)
    results = await _burst(pool, 3)
    assert results[0] is None
    assert all(isinstance(r, RedisConnectionError) for r in results[1:])
