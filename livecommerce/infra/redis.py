"""Redis through redis-py asyncio: one client per process (arq's subclass, so it can enqueue
jobs), or a Redis Cluster client with `REDIS_CLUSTER=1` or a `redis+cluster://` URL (then the
job queue is a plain Redis of its own, `QUEUE_REDIS_URL`; see infra/redis_cluster.py).

The one-slot rule, for everyone who writes Lua or a pipeline: a script, a MULTI or a pipeline
made with `room_pipeline` touches ONE cluster slot. Name every key it touches in KEYS (never
build a key name inside the script from ARGV), and build them all with the same hash tag,
`{room:ID}` for a room (e.g. promotions/live_state.room_tag, realtime/counters.keys).
tests/infra/test_lua_one_slot.py walks every script in the tree and fails otherwise;
`make test-cluster` runs the room tests on a real cluster, where a cross-slot call fails.
Room channels are `{room:ID}:events` on sharded pub/sub (SPUBLISH) in a cluster.
"""

from __future__ import annotations

import asyncio
import collections
import random
from pathlib import Path
from typing import Any, cast

from arq.connections import ArqRedis
from redis._parsers.hiredis import _AsyncHiredisParser
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.client import Pipeline, PubSub
from redis.asyncio.cluster import RedisCluster
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError

from livecommerce.infra import redis_cluster


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

    async def ensure_connection(self, connection: Any) -> None:
        # redis-py checks every connection it hands out by reading its socket under a zero
        # timeout (a loop turn, a cancellation and an exception each time): ~9 % of a
        # red-packet grab's server samples (bench/grab.py, py-spy). A connection released after
        # a clean reply has nothing buffered (any error mid-command disconnects it), so when
        # neither its hiredis reader nor its stream holds a byte, it has not seen EOF and is not
        # closing, it is ready as it stands; anything else (a pub/sub connection handed back
        # with messages queued, a server that closed it, a Redis restart) and any other parser
        # take redis-py's full check.
        reader, writer = getattr(connection, "_reader", None), getattr(connection, "_writer", None)
        parser = getattr(connection, "_parser", None)
        if (
            reader is not None
            and writer is not None
            and isinstance(parser, _AsyncHiredisParser)
            and parser._connected
            and parser._reader is not None
            and not parser._reader.has_data()
            and not getattr(reader, "_buffer", True)
            and not reader.at_eof()
            and reader.exception() is None
            and not writer.is_closing()
        ):
            return
        await super().ensure_connection(connection)

    async def release(self, connection: Any) -> None:
        await super().release(connection)
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                break


def connect(url: str, *, cluster: bool = False) -> Any:
    """ArqRedis for one node (the default, unchanged), RedisCluster for a cluster."""
    if cluster or redis_cluster.is_cluster_url(url):
        return redis_cluster.connect_cluster(url)
    return connect_node(url)


def connect_node(url: str) -> ArqRedis:
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


async def room_pipeline(redis: Any, key: str, *, transaction: bool = False) -> Pipeline:
    """A pipeline of commands (scripts, MULTI allowed) on `key`'s slot: on a cluster, a plain
    pipeline to the node that owns it (one round trip, as on one node)."""
    if redis_cluster.is_cluster(redis):
        return await redis_cluster.slot_pipeline(redis, key, transaction=transaction)
    return cast(Pipeline, redis.pipeline(transaction=transaction))


async def mget(redis: Any, *keys: str) -> list[Any]:
    """MGET of keys that need not share a slot: on a cluster one MGET per slot (not atomic)."""
    if redis_cluster.is_cluster(redis):
        return await redis_cluster.mget(redis, keys)
    return cast("list[Any]", await redis.mget(*keys))


async def publish(redis: Any, channel: str, data: bytes | str) -> None:
    """Classic PUBLISH on a channel that is no room's (bans, a user's inbox): a cluster
    forwards it to every node, so a subscriber on any node hears it."""
    if redis_cluster.is_cluster(redis):
        await redis.execute_command("PUBLISH", channel, data, target_nodes=RedisCluster.RANDOM)
    else:
        await redis.publish(channel, data)


def pubsub(redis: Any, **kwargs: Any) -> PubSub:
    """A classic pub/sub connection; on a cluster, to a random node (any node hears every
    PUBLISH), picked again at each call, so a listener that reconnects leaves a dead node."""
    if redis_cluster.is_cluster(redis):
        # Before its first command the client knows only its startup nodes.
        manager = redis.nodes_manager
        node = random.choice(list(manager.nodes_cache.values() or manager.startup_nodes.values()))
        client = redis_cluster.router(redis).client_for(node)
        return client.pubsub(**kwargs)
    return cast(PubSub, redis.pubsub(**kwargs))


async def aclose(redis: Any) -> None:
    if redis_cluster.is_cluster(redis):
        await redis_cluster.close(redis)
    else:
        await redis.aclose()
