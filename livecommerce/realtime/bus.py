"""Events between api processes: ONE Redis pub/sub connection per process (one Redis node;
on a cluster, sharded_bus.py).

The process SUBSCRIBEs to `{room:ID}:events` while it has local sockets in room ID and
UNSUBSCRIBEs when the last one leaves, so it receives only rooms it serves, and Redis
sees one subscriber per process, never one per viewer. Pub/sub is at-most-once: a
process that reconnects after a Redis outage misses what was published meanwhile.

After a Redis restart redis-py reconnects on the reader's next read and re-SUBSCRIBEs what
it had. A SUBSCRIBE that fails while Redis is away (a room new to this process) never got
that far: it is kept in `_pending` and the reader retries it, so the join goes on (local
viewers are served) and the room hears other processes once Redis is back.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Callable

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from livecommerce.realtime.counters import channel, room_of_channel

log = structlog.get_logger("realtime.bus")


class EventBus:
    def __init__(self, redis: Redis, on_message: Callable[[int, bytes], None]) -> None:
        self._pubsub = redis.pubsub()
        self._on_message = on_message
        # SUBSCRIBE/UNSUBSCRIBE go out in call order (a room may leave and come back quickly).
        self._lock = asyncio.Lock()
        self._confirm: dict[bytes, collections.deque[asyncio.Future[None]]] = {}
        self._wakeup = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._pending: set[str] = (
            set()
        )  # SUBSCRIBEs that failed (Redis away), retried by the reader

    async def subscribe(self, room_id: int) -> None:
        """Return once Redis confirms the subscription: events published after that reach us."""
        name = channel(room_id)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = self._confirm.setdefault(name.encode(), collections.deque())
        waiters.append(done)
        try:
            async with self._lock:
                self._pending.discard(name)
                await self._pubsub.subscribe(name)
        except (RedisError, OSError) as exc:
            log.warning("subscribe_failed", channel=name, error=str(exc))
            waiters.remove(done)
            if not waiters:
                self._confirm.pop(name.encode(), None)
            self._pending.add(name)
            done.set_result(None)  # don't hold the join: the reader subscribes once Redis is back
        if self._reader is None:
            self._reader = asyncio.create_task(self._read(), name="realtime-bus")
        self._wakeup.set()
        try:
            async with asyncio.timeout(5.0):  # a slow Redis must not hold a join forever
                await done
        except TimeoutError:
            log.warning("subscribe_unconfirmed", channel=name)

    async def unsubscribe(self, room_id: int) -> None:
        async with self._lock:
            self._pending.discard(channel(room_id))
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(channel(room_id))

    async def _read(self) -> None:
        pubsub = self._pubsub
        while True:
            if self._pending and not await self._retry_pending():
                await asyncio.sleep(0.5)
                continue
            if not pubsub.subscribed:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            try:
                message = await pubsub.get_message(timeout=1.0)
            except (RedisError, OSError) as exc:
                # redis-py reconnects on the next read and re-subscribes every channel.
                log.warning("bus_read_failed", error=str(exc))
                await asyncio.sleep(0.5)
                continue
            if message is None:
                continue
            kind = message["type"]
            name = message["channel"]
            if isinstance(name, str):
                name = name.encode()
            if kind == "message":
                try:
                    self._on_message(room_of_channel(name), message["data"])
                except Exception:
                    log.exception("bus_message_failed", channel=name)
            elif kind == "subscribe":
                waiters = self._confirm.get(name)
                if waiters:
                    future = waiters.popleft()
                    if not future.done():
                        future.set_result(None)
                    if not waiters:
                        del self._confirm[name]

    async def _retry_pending(self) -> bool:
        async with self._lock:
            names = sorted(self._pending)
            try:
                await self._pubsub.subscribe(*names)
            except (RedisError, OSError):
                return False
            self._pending.difference_update(names)
        log.info("subscribe_recovered", channels=len(names))
        return True

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        with contextlib.suppress(RedisError, OSError):
            await self._pubsub.aclose()
