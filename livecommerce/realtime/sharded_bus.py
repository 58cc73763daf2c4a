"""Events between api processes on a Redis Cluster: sharded pub/sub, one connection per node.

A room's channel `{room:ID}:events` hashes to the room's slot, so SPUBLISH and SSUBSCRIBE
touch only the node that holds the room's keys: a room's traffic stays on its node, and
adding nodes adds pub/sub capacity (classic PUBLISH is copied to every node of a cluster).

redis-py 5.2's asyncio cluster client has no pub/sub, so this keeps one plain connection per
node this process has rooms on, in RESP2 subscribe mode, and SSUBSCRIBEs each channel on the
node that owns its slot. A channel whose node dies (a connection error), moves it (MOVED), or
drops it (a `sunsubscribe` the server sends when a failover or a reshard takes the slot away)
goes back to `_pending`: the keeper re-reads the slot map and subscribes it on its new owner,
retrying until one answers. As on one node, pub/sub is at-most-once: what was published while
a room's node was failing over is missed (viewers get the truth in their next snapshot).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Callable
from typing import Any

import structlog
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.connection import Connection
from redis.exceptions import RedisClusterException, RedisError, ResponseError

from livecommerce.infra import redis_cluster
from livecommerce.realtime.counters import channel, room_of_channel

log = structlog.get_logger("realtime.sharded_bus")
RETRY_SECONDS = 0.25


class _NodeLink:
    """One subscribe-mode connection to one cluster node."""

    def __init__(self, name: str, host: str, port: int) -> None:
        self.name = name
        self.conn = Connection(host=host, port=port, socket_connect_timeout=2, socket_timeout=None)
        self.channels: set[str] = set()  # SSUBSCRIBEd here, confirmed or not
        self.reader: asyncio.Task[None] | None = None

    async def close(self) -> None:
        if self.reader is not None and self.reader is not asyncio.current_task():
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.reader
        with contextlib.suppress(Exception):
            await self.conn.disconnect()


class ShardedEventBus:
    """The cluster counterpart of bus.EventBus: the same subscribe/unsubscribe/close."""

    def __init__(self, redis: RedisCluster, on_message: Callable[[int, bytes], None]) -> None:
        self._cluster = redis
        self._router = redis_cluster.router(redis)
        self._on_message = on_message
        self._wanted: set[str] = set()
        self._pending: set[str] = set()
        self._links: dict[str, _NodeLink] = {}
        self._where: dict[str, _NodeLink] = {}
        self._confirm: dict[bytes, collections.deque[asyncio.Future[None]]] = {}
        self._wakeup = asyncio.Event()
        self._keeper: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # SSUBSCRIBE/SUNSUBSCRIBE go out in call order

    async def subscribe(self, room_id: int) -> None:
        """Return once the owner of the room's slot confirms (or after 5 s: the keeper goes on
        trying, and local viewers are served meanwhile)."""
        name = channel(room_id)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._confirm.setdefault(name.encode(), collections.deque()).append(done)
        self._wanted.add(name)
        self._pending.add(name)
        if self._keeper is None:
            self._keeper = asyncio.create_task(self._keep(), name="realtime-sharded-bus")
        self._wakeup.set()
        try:
            async with asyncio.timeout(5.0):
                await done
        except TimeoutError:
            log.warning("ssubscribe_unconfirmed", channel=name)

    async def unsubscribe(self, room_id: int) -> None:
        name = channel(room_id)
        async with self._lock:
            self._wanted.discard(name)
            self._pending.discard(name)
            link = self._where.pop(name, None)
            if link is not None:
                link.channels.discard(name)
                with contextlib.suppress(RedisError, OSError):
                    await link.conn.send_command("SUNSUBSCRIBE", name)

    async def _keep(self) -> None:
        while True:
            if not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if not await self._place_pending():
                await self._router.refresh()
                await asyncio.sleep(RETRY_SECONDS)

    async def _place_pending(self) -> bool:
        """SSUBSCRIBE every pending channel on its slot's owner; False if some node failed."""
        ok = True
        async with self._lock:
            by_node: dict[str, list[str]] = {}
            nodes: dict[str, Any] = {}
            for name in sorted(self._pending):
                try:
                    node = await self._router.node_for(name)
                except (RedisError, RedisClusterException, OSError):
                    return False
                nodes[node.name] = node
                by_node.setdefault(node.name, []).append(name)
            for node_name, names in by_node.items():
                node = nodes[node_name]
                try:
                    link = await self._link(node_name, node.host, node.port)
                    # One SSUBSCRIBE per channel: channels of one call must share a slot.
                    await link.conn.send_packed_command(
                        link.conn.pack_commands([("SSUBSCRIBE", name) for name in names])
                    )
                except (RedisError, RedisClusterException, OSError) as exc:
                    log.warning("ssubscribe_failed", node=node_name, error=str(exc))
                    await self._drop(self._links.get(node_name))
                    ok = False
                    continue
                for name in names:
                    self._pending.discard(name)
                    old = self._where.get(name)
                    if old is not None and old is not link:
                        old.channels.discard(name)
                    self._where[name] = link
                    link.channels.add(name)
        return ok

    async def _link(self, name: str, host: str, port: int) -> _NodeLink:
        link = self._links.get(name)
        if link is None:
            link = _NodeLink(name, host, port)
            await link.conn.connect()
            self._links[name] = link
            link.reader = asyncio.create_task(self._read(link), name=f"sharded-bus-{name}")
        return link

    async def _drop(self, link: _NodeLink | None) -> None:
        """A node is gone (or no longer ours): its wanted channels go back to pending."""
        if link is None or self._links.get(link.name) is not link:
            return
        del self._links[link.name]
        for name in link.channels:
            if self._where.get(name) is link:
                del self._where[name]
            if name in self._wanted:
                self._pending.add(name)
        link.channels.clear()
        self._wakeup.set()
        await link.close()

    async def _read(self, link: _NodeLink) -> None:
        while True:
            try:
                reply = await link.conn.read_response()
            except ResponseError as exc:
                # MOVED (the slot moved on since we read the map): place its channels again.
                log.info("ssubscribe_refused", node=link.name, error=str(exc))
                async with self._lock:
                    await self._drop(link)
                await self._router.refresh()
                return
            except (RedisError, RedisClusterException, OSError) as exc:
                log.warning("sharded_bus_node_lost", node=link.name, error=str(exc))
                async with self._lock:
                    await self._drop(link)
                await self._router.refresh()
                return
            if isinstance(reply, list) and len(reply) >= 3:
                self._handle(link, reply)

    def _handle(self, link: _NodeLink, reply: list[Any]) -> None:
        kind, name = reply[0], reply[1]
        if kind == b"smessage":
            try:
                self._on_message(room_of_channel(name), reply[2])
            except Exception:
                log.exception("bus_message_failed", channel=name)
        elif kind == b"ssubscribe":
            waiters = self._confirm.get(name)
            while waiters:
                future = waiters.popleft()
                if not future.done():
                    future.set_result(None)
            self._confirm.pop(name, None)
        elif kind == b"sunsubscribe":
            text = name.decode()
            # Ours after unsubscribe(): no longer wanted. Else the server took the slot away.
            if text in self._wanted and self._where.get(text) is link:
                link.channels.discard(text)
                del self._where[text]
                self._pending.add(text)
                self._wakeup.set()

    async def close(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
            self._keeper = None
        for link in list(self._links.values()):
            await link.close()
        self._links.clear()
