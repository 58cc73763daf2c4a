"""The per-process room hub: local sockets per room, one tick loop per room, one frame per tick.

Delivery is exactly once across processes: a process delivers its own events locally at
its tick and publishes them in one batch tagged with its id; every process adds batches
from other origins to its next tick and skips its own. Redis work per room per tick is
one pipeline (PUBLISH if there were local events, plus one counters script), so it grows
with processes and ticks, never with viewers.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import os
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisClusterException, RedisError

from livecommerce.infra import redis_cluster
from livecommerce.infra.redis import room_pipeline
from livecommerce.realtime import counters as room_counters
from livecommerce.realtime.bus import EventBus
from livecommerce.realtime.config import HubConfig
from livecommerce.realtime.errors import JoinRefused
from livecommerce.realtime.guests import IssueBudget, capped
from livecommerce.realtime.limits import TokenBucket, ViewerLimits
from livecommerce.realtime.sampling import sample_events
from livecommerce.realtime.sharded_bus import ShardedEventBus
from livecommerce.realtime.sockets import OutFrame, Socket
from livecommerce.realtime.wire import Batch, Tick, batch_decoder, encoder, is_priority, make_event

log = structlog.get_logger("realtime.hub")


class Room:
    __slots__ = (
        "counters",
        "deltas",
        "epoch",
        "id",
        "inbox",
        "next_counters",
        "next_sweep",
        "outbox",
        "ready",
        "sent",
        "seq",
        "sockets",
        "task",
    )

    def __init__(self, room_id: int) -> None:
        self.id = room_id
        self.sockets: dict[str, Socket] = {}
        self.outbox: list[dict[str, Any]] = []  # produced here since the last tick
        self.inbox: list[dict[str, Any]] = []  # received from other processes
        self.deltas = room_counters.Deltas()
        self.seq = 0
        self.counters: dict[str, int] = dict.fromkeys(room_counters.COUNTER_NAMES, 0)  # last read
        self.sent: dict[str, int] = dict(self.counters)  # last sent in a tick
        self.task: asyncio.Task[None] | None = None
        self.ready: asyncio.Future[None] | None = None  # set once subscribed to the room channel
        self.next_sweep = 0.0
        self.next_counters = 0.0
        self.epoch = (
            ""  # the counters' lifetime as last read (counters.py): tells a reset from a loss
        )


class RoomHub:
    """One per api process. `start()`/`stop()` from the app's lifespan."""

    def __init__(
        self, redis: Redis, config: HubConfig | None = None, *, process_id: str | None = None
    ) -> None:
        self.redis = redis
        self.config = config or HubConfig()
        self.process_id = process_id or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.rooms: dict[int, Room] = {}
        # On a cluster a room's channel is sharded (SPUBLISH): its traffic stays on its node.
        self._sharded = redis_cluster.is_cluster(redis)
        self._bus: EventBus | ShardedEventBus = (
            ShardedEventBus(redis, self._on_batch)  # type: ignore[arg-type]  # a RedisCluster
            if self._sharded
            else EventBus(redis, self._on_batch)
        )
        self._tick_script = redis.register_script(room_counters.TICK_LUA)
        self._restore_script = redis.register_script(room_counters.RESTORE_LUA)
        self._raise_script = redis.register_script(room_counters.RAISE_LUA)
        self._product_script = redis.register_script(room_counters.PRODUCT_VIEWS_LUA)
        self._conn_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        # Called with (hub, room_id, events) for every event of a room this process sees,
        # its own and other processes' (e.g. the rooms domain drops cached rules on a mute).
        self.listeners: list[Callable[[RoomHub, int, list[dict[str, Any]]], None]] = []
        self._rng = random.Random()
        # Per viewer per room, shared by its sockets here; one left without sockets is kept until
        # its buckets would be full again, so closing every socket and reopening refills nothing.
        self._viewers: dict[tuple[int, str], ViewerLimits] = {}
        self._idle: collections.deque[tuple[float, tuple[int, str]]] = collections.deque()
        cfg = self.config
        self.guest_budget = IssueBudget(cfg.guest_ids_rate, cfg.guest_ids_burst)

    async def start(self) -> None:
        pass  # the bus connects on the first subscription

    async def stop(self) -> None:
        for room in list(self.rooms.values()):
            for sock in list(room.sockets.values()):
                sock.close(1001, "server shutting down")
            if room.task is not None:
                room.task.cancel()
        await asyncio.gather(
            *(r.task for r in self.rooms.values() if r.task), return_exceptions=True
        )
        self.rooms.clear()
        self._viewers.clear()
        self._idle.clear()
        await self._bus.close()

    # --- sockets ---------------------------------------------------------------------------

    def new_socket(
        self, room_id: int, actor: Any, viewer_id: str, receive: Any, send: Any
    ) -> Socket:
        """A socket for an accepted connection; `receive`/`send` are its ASGI callables."""
        conn_id = f"{self.process_id}:{next(self._conn_ids)}"
        limits = self._limits(room_id, viewer_id, time.monotonic())
        return Socket(conn_id, room_id, actor, viewer_id, limits, self.config, receive, send)

    def _limits(self, room_id: int, viewer_id: str, now: float) -> ViewerLimits:
        self._sweep_viewers(now)
        key = (room_id, viewer_id)
        limits = self._viewers.get(key)
        if limits is None:
            cfg = self.config
            limits = self._viewers[key] = ViewerLimits(
                TokenBucket(cfg.chat_rate, cfg.chat_burst, now),
                TokenBucket(cfg.like_rate, cfg.like_burst, now),
                now,
            )
            self._idle.append((now + self._refill_seconds(), key))  # dropped if it never joins
        return limits

    def _refill_seconds(self) -> float:
        cfg = self.config
        return max(cfg.chat_burst / cfg.chat_rate, cfg.like_burst / cfg.like_rate)

    def _sweep_viewers(self, now: float) -> None:
        """Forget viewers without sockets whose buckets are full again (amortized O(1))."""
        idle, refill = self._idle, self._refill_seconds()
        while idle and idle[0][0] <= now:
            _, key = idle.popleft()
            limits = self._viewers.get(key)
            if limits is not None and limits.sockets == 0 and limits.left_at + refill <= now:
                del self._viewers[key]

    async def join(self, sock: Socket) -> Room:
        """Add a socket (still waiting for its snapshot) to its room; subscribe if the room is new
        here. JoinRefused (4029) if its viewer holds `max_sockets_per_viewer` sockets already."""
        limits = sock.limits
        if capped(sock.viewer_id) and limits.sockets >= self.config.max_sockets_per_viewer:
            raise JoinRefused(4029, "too_many_sockets")
        room = self.rooms.get(sock.room_id)
        if room is None:
            room = self.rooms[sock.room_id] = Room(sock.room_id)
            room.ready = asyncio.ensure_future(self._bus.subscribe(room.id))
            room.task = asyncio.create_task(self._run(room), name=f"room-{room.id}")
        room.sockets[sock.id] = sock
        if limits.sockets == 0:
            # A view is a viewer arriving: a second tab (or sixty sockets from one address) is not.
            room.deltas.views += 1
            room.deltas.viewers.append(sock.viewer_id)
        limits.sockets += 1
        sock.counted = True
        room.deltas.high = max(room.deltas.high, len(room.sockets))
        sock.on_drop = self._forget
        if room.ready is None:
            raise RuntimeError(f"room {room.id} has no subscription task")
        await asyncio.shield(room.ready)
        return room

    def leave(self, sock: Socket) -> None:
        sock.closed = True
        self._forget(sock)

    def _forget(self, sock: Socket) -> None:
        if sock.counted:
            sock.counted = False
            limits = sock.limits
            limits.sockets -= 1
            if limits.sockets == 0:
                now = limits.left_at = time.monotonic()
                self._idle.append((now + self._refill_seconds(), (sock.room_id, sock.viewer_id)))
                self._sweep_viewers(now)
        room = self.rooms.get(sock.room_id)
        if room is not None:
            room.sockets.pop(sock.id, None)

    def local_count(self, room_id: int) -> int:
        room = self.rooms.get(room_id)
        return len(room.sockets) if room else 0

    # --- events ----------------------------------------------------------------------------

    async def publish(self, room_id: int, *events: dict[str, Any]) -> None:
        """Send events to every viewer of the room, on every process, exactly once.

        With local sockets the events ride this process's next tick; without, they go
        straight to Redis (an HTTP request may land on a process that serves no viewer).
        """
        batch = [dict(e, priority=is_priority(e)) for e in events]
        for event in batch:
            event.setdefault("ts", time.time())
        self._notify(room_id, batch)
        room = self.rooms.get(room_id)
        if room is not None:
            room.outbox.extend(batch)
            return
        await publish_events(self.redis, room_id, batch)

    def submit_chat(self, sock: Socket, text: str, *, priority: bool, name: str = "") -> None:
        """A chat line, shown under `name` (the author's display name; else the login name)."""
        room = self.rooms.get(sock.room_id)
        if room is None:
            return
        actor = sock.actor
        # An id per message, so a moderator can delete it from every viewer's screen.
        room.outbox.append(
            make_event(
                "chat",
                priority=priority,
                id=f"{self.process_id}:{next(self._message_ids)}",
                userId=actor.id,
                name=name or actor.username,
                text=text,
            )
        )
        room.deltas.comments += 1

    def submit_likes(self, sock: Socket, count: int) -> None:
        room = self.rooms.get(sock.room_id)
        if room is not None:
            room.deltas.likes += count

    def submit_product_view(self, sock: Socket, product_id: int) -> None:
        room = self.rooms.get(sock.room_id)
        if room is not None:
            opens = room.deltas.opens
            key = (sock.viewer_id, product_id)
            opens[key] = opens.get(key, 0) + 1

    def _on_batch(self, room_id: int, data: bytes) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            return
        batch: Batch = batch_decoder.decode(data)
        if batch.origin != self.process_id:  # our own batch was delivered at our tick
            room.inbox.extend(batch.events)
            self._notify(room_id, batch.events)

    def _notify(self, room_id: int, events: list[dict[str, Any]]) -> None:
        for listener in self.listeners:
            try:
                listener(self, room_id, events)
            except Exception:
                log.exception("room_listener_failed", room_id=room_id)

    def close_user(self, room_id: int, user_id: int, code: int, reason: str) -> int:
        """Close this process's sockets of a user in a room (a ban); returns how many."""
        room = self.rooms.get(room_id)
        if room is None:
            return 0
        found = [s for s in room.sockets.values() if s.actor is not None and s.actor.id == user_id]
        for sock in found:
            sock.close(code, reason)
        return len(found)

    # --- counters --------------------------------------------------------------------------

    async def counters(self, room_id: int) -> dict[str, int]:
        """Current counters of a room, read from Redis (any process, with or without viewers)."""
        reply = await self._tick_script(
            keys=room_counters.keys(room_id),
            args=room_counters.tick_args("", 0, self.config.presence_ttl, room_counters.Deltas()),
        )
        return room_counters.as_dict(reply)

    async def add_counters(self, room_id: int, **deltas: int) -> None:
        await room_counters.add(self.redis, room_id, **deltas)

    async def reset_counters(self, room_id: int) -> None:
        await room_counters.reset(self.redis, room_id)

    # --- the tick loop ---------------------------------------------------------------------

    async def _run(self, room: Room) -> None:
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        try:
            with contextlib.suppress(Exception):
                if room.ready is None:  # never: join() sets it first; suppressed like a failure
                    raise RuntimeError(f"room {room.id} has no subscription task")
                await room.ready
            while True:
                # Read each time: the config may be replaced on a live hub (the bench does).
                next_at = max(next_at + self.config.tick_interval, loop.time())
                await asyncio.sleep(next_at - loop.time())
                if not room.sockets:
                    # Leave synchronously, then flush: a socket joining now gets a fresh Room.
                    if self.rooms.get(room.id) is room:
                        del self.rooms[room.id]
                    await self._tick(room, final=True)
                    await self._bus.unsubscribe(room.id)
                    return
                await self._tick(room)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("room_loop_crashed", room_id=room.id)
            if self.rooms.get(room.id) is room:
                del self.rooms[room.id]
            for sock in list(room.sockets.values()):
                sock.close(1011, "internal error")

    async def _tick(self, room: Room, *, final: bool = False) -> None:
        """Fan out first, then talk to Redis: a slow Redis must not delay local delivery."""
        cfg = self.config
        local, room.outbox = sample_events(room.outbox, cfg.chat_per_tick, self._rng), []
        remote, room.inbox = room.inbox, []
        events = sample_events(local + remote, cfg.chat_per_tick, self._rng) if remote else local
        changed = {k: v for k, v in room.counters.items() if room.sent.get(k) != v}
        self._sweep_idle(room)
        if events or changed:
            room.sent = dict(room.counters)
            room.seq += 1
            frame = OutFrame(encoder.encode(Tick(seq=room.seq, events=events, counters=changed)))
            for sock in list(room.sockets.values()):
                sock.deliver(frame)
        now = time.monotonic()
        refresh = final or now >= room.next_counters
        if not local and not refresh:
            return
        if self._sharded:
            try:
                # All of it on the room's slot: one pipeline to the node that owns it.
                pipe = await room_pipeline(self.redis, room_counters.keys(room.id)[0])
            except (RedisError, RedisClusterException, OSError) as exc:
                log.warning("tick_redis_failed", room_id=room.id, error=str(exc))
                return  # the deltas stay in room.deltas for the next tick
        else:  # one node: exactly the pipeline it always was, nothing added per tick
            pipe = self.redis.pipeline(transaction=False)
        if local:
            pipe.execute_command(
                "SPUBLISH" if self._sharded else "PUBLISH",
                room_counters.channel(room.id),
                encoder.encode(Batch(self.process_id, local)),
            )
            # Each process keeps the lines it delivered first (its own), so each is kept once.
            chats = [encoder.encode(e) for e in local if e.get("type") == "chat"]
            if chats and cfg.chat_history > 0:
                history = room_counters.chat_key(room.id)
                pipe.rpush(history, *chats)
                pipe.ltrim(history, -cfg.chat_history, -1)
                pipe.expire(history, cfg.chat_history_ttl)
        deltas = None
        at = 0  # the tick script's reply among the pipeline's
        if refresh:
            # One script per room per counters interval: this process's presence and
            # deltas in, every counter out (shown to viewers at the next tick).
            room.next_counters = now + cfg.counters_interval
            deltas, room.deltas = room.deltas, room_counters.Deltas()
            at = len(pipe)
            await self._tick_script(
                keys=room_counters.keys(room.id),
                args=room_counters.tick_args(
                    self.process_id,
                    len(room.sockets),
                    cfg.presence_ttl,
                    deltas,
                    room.epoch,
                    "" if room.epoch else uuid.uuid4().hex,
                ),
                client=pipe,
            )
            if deltas.opens:
                await self._product_script(
                    keys=room_counters.product_keys(room.id),
                    args=room_counters.product_view_args(deltas),
                    client=pipe,
                )
        try:
            replies = await pipe.execute()
            if refresh:
                await self._read_counters(room, replies[at], deltas)
        except (RedisError, OSError) as exc:
            # Counters are retried next time (a reply lost after Redis applied them could
            # count twice: the price of never losing likes). Local viewers had the events.
            log.warning("tick_redis_failed", room_id=room.id, error=str(exc))
            if deltas is not None:
                deltas.merge(room.deltas)
                room.deltas = deltas

    async def _read_counters(
        self, room: Room, reply: list[Any], deltas: room_counters.Deltas | None
    ) -> None:
        if not room_counters.lost(reply):
            epoch, read = room_counters.epoch_of(reply), room_counters.as_dict(reply)
            if epoch == room.epoch and room_counters.went_back(room.counters, read):
                # Same lifetime, yet lower: another process restored an older reading after a loss.
                shown = {
                    k: max(v, read[k]) if k in room_counters.MONOTONIC else read[k]
                    for k, v in room.counters.items()
                }
                await self._raise_script(
                    keys=room_counters.keys(room.id)[:1],
                    args=room_counters.raise_args(epoch, shown),
                )
                read = shown
            if room.epoch and epoch != room.epoch:
                self._count_present(room, deltas)
            room.epoch = epoch  # a new one after a session's reset: lower is right
            room.counters = read
            return
        # Redis came back without the room's counters: put back what we last read (viewers keep
        # seeing it, never lower), then apply the deltas the script refused at the next tick.
        log.warning("room_counters_lost", room_id=room.id)
        await self._restore_script(
            keys=room_counters.keys(room.id)[:1],
            args=room_counters.restore_args(room.epoch, room.counters),
        )
        if deltas is not None:
            deltas.merge(room.deltas)
            room.deltas = deltas
        room.next_counters = 0.0

    def _count_present(self, room: Room, applied: room_counters.Deltas | None) -> None:
        """A new counters lifetime (a session went live): the viewers already waiting here are its
        first viewers and views, counted at the next tick as if they had just joined. Those who
        joined since the last reading were just counted in the new lifetime (`applied`), and those
        who joined while it was read will be (`room.deltas`)."""
        counted = set(room.deltas.viewers)
        if applied is not None:
            counted.update(applied.viewers)
        present = {
            sock.viewer_id
            for sock in room.sockets.values()
            if sock.counted and sock.viewer_id not in counted
        }
        room.deltas.views += len(present)
        room.deltas.viewers.extend(present)
        room.deltas.high = max(room.deltas.high, len(room.sockets))

    def _sweep_idle(self, room: Room) -> None:
        now = time.monotonic()
        if now < room.next_sweep:
            return
        room.next_sweep = now + 1.0
        limit = now - self.config.idle_timeout
        for sock in [s for s in room.sockets.values() if s.last_seen < limit]:
            sock.close(1001, "idle timeout")


async def publish_events(redis: Redis, room_id: int, events: list[dict[str, Any]]) -> None:
    """Publish events to a room from a process without a hub or without local viewers (e.g. a
    worker)."""
    command = "SPUBLISH" if redis_cluster.is_cluster(redis) else "PUBLISH"
    await redis.execute_command(
        command, room_counters.channel(room_id), encoder.encode(Batch("", events))
    )
