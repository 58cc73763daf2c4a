"""Live inbox: a new item reaches the user's open pages over their socket (/ws/me).

A worker (or an api process) publishes `{"type": "inbox", "unread": N, "item": {...}}` on the
user's Redis channel after the delivery commits. Each api process listens once, on a pattern
(one Redis connection per process, not per socket), and hands each message to the sockets of
that user it holds. Best effort: a page that missed one reads the count when it next loads.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import defaultdict
from typing import Any

import msgspec
import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from livecommerce.domains.live import events as room_events
from livecommerce.domains.outreach import inbox
from livecommerce.infra import db
from livecommerce.infra import redis as redis_infra

log = structlog.get_logger("outreach.inbox_push")

PREFIX = "lc:inbox:"


def channel_of(user_id: int) -> str:
    return f"{PREFIX}{user_id}"


async def announce(user_id: int, delivery_id: int) -> None:
    """Tell the user's open pages of a new inbox item (after COMMIT)."""
    redis = room_events.redis()
    if redis is None:
        return
    async with db.connection() as conn:
        count = await inbox.unread(conn, user_id)
        found = await inbox.item(conn, user_id, delivery_id)
    frame: dict[str, Any] = {"type": "inbox", "unread": count}
    if found is not None:
        frame["item"] = {to_camel(k): v for k, v in dataclasses.asdict(found).items()}
    await publish(redis, user_id, frame)


async def announce_count(user_id: int) -> None:
    """The unread count changed (read on another page): every open page shows the new one."""
    redis = room_events.redis()
    if redis is None:
        return
    async with db.connection() as conn:
        count = await inbox.unread(conn, user_id)
    await publish(redis, user_id, {"type": "inbox", "unread": count})


async def publish(redis: Redis, user_id: int, frame: dict[str, Any]) -> None:
    try:
        await redis_infra.publish(redis, channel_of(user_id), msgspec.json.encode(frame))
    except (RedisError, OSError) as exc:
        log.warning("inbox_not_published", user_id=user_id, error=str(exc))


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class UserHub:
    """One per api process: the sockets open per user, fed from one pattern subscription."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.sockets: dict[int, set[asyncio.Queue[bytes]]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def join(self, user_id: int) -> asyncio.Queue[bytes]:
        if self._task is None:
            self._task = asyncio.create_task(self._listen())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 5)
        queue: asyncio.Queue[bytes] = asyncio.Queue(maxsize=100)
        self.sockets[user_id].add(queue)
        return queue

    def leave(self, user_id: int, queue: asyncio.Queue[bytes]) -> None:
        held = self.sockets.get(user_id)
        if held is not None:
            held.discard(queue)
            if not held:
                del self.sockets[user_id]

    async def _listen(self) -> None:
        while True:
            try:
                pubsub = redis_infra.pubsub(self.redis)  # on a cluster: any one node
                await pubsub.psubscribe(PREFIX + "*")
                self._ready.set()
                async for message in pubsub.listen():
                    if message.get("type") == "pmessage":
                        self._dispatch(message["channel"], message["data"])
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                log.warning("inbox_listener_lost", error=str(exc))
                self._ready.clear()
                await asyncio.sleep(1)

    def _dispatch(self, channel: bytes | str, data: bytes) -> None:
        name = channel.decode() if isinstance(channel, bytes) else channel
        tail = name[len(PREFIX) :]
        if not tail.isdigit():
            return
        for queue in tuple(self.sockets.get(int(tail), ())):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled page drops, never blocks
                queue.put_nowait(data)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
