"""Redis Cluster: the cluster client, and one plain connection pool per node for what redis-py's
asyncio cluster client cannot do.

redis-py 5.2's asyncio `RedisCluster` has no pub/sub, refuses EVALSHA and PFCOUNT inside a
pipeline and has no MULTI. All of one room's keys share a slot (`{room:ID}`), so a room's
pipeline is sent, whole, to the node that owns that slot through a plain `Redis` client: one
round trip per tick as on a single node, scripts loaded there by redis-py's Pipeline, MULTI
allowed. After a failover (a connection error or MOVED) the slot map is read again, at most
once per `REFRESH_SECONDS`, and the next call goes to the new owner.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import ClusterNode, NodesManager, RedisCluster
from redis.crc import key_slot
from redis.exceptions import (
    AskError,
    ClusterDownError,
    MovedError,
    RedisClusterException,
    RedisError,
    TryAgainError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
REFRESH_SECONDS = 0.25
# What says the slot map we hold is stale: the owner died, moved the slot, or is failing over.
STALE_MAP_ERRORS = (
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    MovedError,
    AskError,
    ClusterDownError,
    TryAgainError,
)


def is_cluster_url(url: str) -> bool:
    return urlsplit(url).scheme in CLUSTER_SCHEMES


def plain_url(url: str) -> str:
    """`redis+cluster://h:p/0` -> `redis://h:p/0` (redis-py reads the plain form)."""
    parts = urlsplit(url)
    scheme = CLUSTER_SCHEMES.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, *parts[1:]))


def is_cluster(redis: object) -> bool:
    # Not isinstance(): RedisCluster's ABC check costs ~10 us, paid on every room tick otherwise.
    return type(redis) in _CLUSTER_TYPES


class _SnapshotDict(dict[str, Any]):
    """`values()` is a copy: redis-py 5.2 iterates the startup nodes across awaits while a
    failing command pops the dead one (RuntimeError: dictionary changed size during iteration,
    redis-py issue 3565, fixed after the 5.2 line we pin)."""

    def values(self) -> Any:
        return tuple(super().values())


class _GuardedNodesManager(NodesManager):
    __slots__ = ()

    async def initialize(self) -> None:
        self.startup_nodes = _SnapshotDict(self.startup_nodes)
        try:
            await super().initialize()
        finally:
            self.startup_nodes = _SnapshotDict(self.startup_nodes)


class LiveRedisCluster(RedisCluster):
    """redis-py's client with two failover races of 5.2 closed (both seen killing a master under
    a grab storm): the slot map read while a failing command edits it (_SnapshotDict), and a
    command on a connection that another command's error just closed (redis-py then raises
    AttributeError on its writer, or uvloop RuntimeError: a 500): taken as the connection error
    it is, and retried."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # RedisCluster builds its NodesManager itself (slotted): swap in the guarded class.
        self.nodes_manager.__class__ = _GuardedNodesManager

    async def _execute_command(self, target_node: ClusterNode, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super()._execute_command(target_node, *args, **kwargs)
        except (AttributeError, RuntimeError) as exc:
            # No writer any more (AttributeError) or uvloop's "the handler is closed".
            raise RedisConnectionError(f"connection closed under the command: {exc}") from exc


_CLUSTER_TYPES = frozenset({RedisCluster, LiveRedisCluster})


def connect_cluster(url: str) -> RedisCluster:
    # Short timeouts as for one node; a dead master then fails fast and the map is re-read.
    cluster = LiveRedisCluster.from_url(
        plain_url(url),
        socket_connect_timeout=2,
        socket_timeout=5,
        max_connections=512,
        cluster_error_retry_attempts=3,
    )
    return cluster


class NodeRouter:
    """Plain clients per cluster node, chosen by a key's slot (kept on the cluster client)."""

    def __init__(self, cluster: RedisCluster) -> None:
        self.cluster = cluster
        self._clients: dict[str, Redis] = {}
        self._refreshed_at = 0.0
        self._refresh_lock = asyncio.Lock()

    async def node_for(self, key: str | bytes) -> ClusterNode:
        if self.cluster._initialize:  # redis-py's own "slot map not read yet" flag
            await self.cluster.initialize()
        slot = key_slot(key.encode() if isinstance(key, str) else key)
        return self.cluster.nodes_manager.get_node_from_slot(slot)

    def client_for(self, node: ClusterNode) -> Redis:
        client = self._clients.get(node.name)
        if client is None:
            client = self._clients[node.name] = Redis(
                host=node.host,
                port=int(node.port),
                socket_connect_timeout=2,
                socket_timeout=5,
                health_check_interval=15,
                max_connections=512,
            )
        return client

    async def refresh(self) -> None:
        """Read the slot map again (a failover moved slots); callers retry on their own."""
        if time.monotonic() - self._refreshed_at < REFRESH_SECONDS:
            return
        async with self._refresh_lock:
            if time.monotonic() - self._refreshed_at < REFRESH_SECONDS:
                return
            self._refreshed_at = time.monotonic()
            try:
                await self.cluster.nodes_manager.initialize()
            except (RedisError, RedisClusterException, OSError):
                self._refreshed_at = 0.0  # no node answered: the next caller tries again

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def router(cluster: RedisCluster) -> NodeRouter:
    found: NodeRouter | None = getattr(cluster, "_lc_router", None)
    if found is None:
        found = NodeRouter(cluster)
        cluster._lc_router = found  # type: ignore[attr-defined]  # one router per client
    return found


class SlotPipeline(Pipeline):
    """A plain pipeline to the node that owns one slot; a stale slot map is re-read on failure."""

    _router: NodeRouter

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        try:
            return await super().execute(raise_on_error)
        except STALE_MAP_ERRORS:
            await self._router.refresh()
            raise


async def slot_pipeline(cluster: RedisCluster, key: str, *, transaction: bool) -> SlotPipeline:
    route = router(cluster)
    try:
        node = await route.node_for(key)
    except STALE_MAP_ERRORS:
        await route.refresh()
        raise
    client = route.client_for(node)
    pipe = SlotPipeline(client.connection_pool, client.response_callbacks, transaction, None)
    pipe._router = route
    return pipe


async def mget(cluster: RedisCluster, keys: tuple[str, ...]) -> list[Any]:
    """One MGET per slot, each a plain command (retried by redis-py on a failover), in order."""
    by_slot: dict[int, list[int]] = {}
    for i, key in enumerate(keys):
        by_slot.setdefault(key_slot(key.encode()), []).append(i)
    groups = list(by_slot.values())
    replies = await asyncio.gather(
        *(cluster.execute_command("MGET", *(keys[i] for i in group)) for group in groups)
    )
    found: list[Any] = [None] * len(keys)
    for group, reply in zip(groups, replies, strict=True):
        for i, value in zip(group, reply, strict=True):
            found[i] = value
    return found


async def close(cluster: RedisCluster) -> None:
    found: NodeRouter | None = getattr(cluster, "_lc_router", None)
    if found is not None:
        await found.aclose()
    await cluster.aclose()
