"""How long a viewer watched during a giveaway, from the room socket's presence hook.

The socket tells us when a logged-in viewer's socket comes in and goes. Redis keeps, under the
room's hash tag (one cluster slot, each script one slot):

- `{room:ID}:in`       user -> "open sockets:since" (the current stretch in the room);
- `{room:ID}:giveaway` "id:starts:ends" of the running giveaway (set at its start, gone at the
  draw);
- `{room:ID}:gwwatch`  "giveaway id:user" -> seconds watched in closed stretches, each clipped to
  the giveaway's window.

Watched so far = the closed stretches + the open one (clipped). A viewer already in the room when
a giveaway starts counts from its start. Redis losing the keys loses watch progress (a viewer
watches again), never an entry already made: entries are PostgreSQL's.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from livecommerce.domains.live import events as room_events
from livecommerce.infra.redis import load_script

log = structlog.get_logger("marketing.giveaway_watch")

LUA_DIR = Path(__file__).resolve().parent / "lua"
TTL_MS = 12 * 3600 * 1000  # a stretch a crashed process never closed stops counting after this
WINDOW_GRACE_SECONDS = 86_400


def keys(room_id: int) -> list[str]:
    tag = f"{{room:{room_id}}}"
    return [f"{tag}:in", f"{tag}:giveaway", f"{tag}:gwwatch"]


def _script(redis: Redis, name: str) -> AsyncScript:
    cache: dict[str, AsyncScript] | None = getattr(redis, "_giveaway_scripts", None)
    if cache is None:
        cache = {
            n: load_script(redis, LUA_DIR / f"giveaway_{n}.lua") for n in ("watch_in", "watch_out")
        }
        redis._giveaway_scripts = cache  # type: ignore[attr-defined]  # cached on the client
    return cache[name]


async def presence(room_id: int, viewer_id: str, watched: float | None) -> None:
    """RoomHooks.presence: one script call per logged-in viewer's join and leave (guests can't
    enter a giveaway)."""
    if not viewer_id.startswith("u:"):
        return
    redis = room_events.redis()
    if redis is None:
        return
    user = viewer_id[2:]
    args: list[str | int] = [user, f"{time.time():.3f}", TTL_MS]
    try:
        if watched is None:
            await _script(redis, "watch_in")(keys=keys(room_id)[:1], args=args)
        else:
            await _script(redis, "watch_out")(keys=keys(room_id), args=args)
    except (RedisError, OSError) as exc:
        log.warning("giveaway_watch_not_kept", room_id=room_id, error=str(exc))


async def open_window(room_id: int, giveaway_id: int, starts: float, ends: float) -> None:
    """After the start commits: closed stretches from now on count for this giveaway."""
    redis = room_events.redis()
    if redis is None:
        return
    ttl = max(1, int(ends - time.time()) + WINDOW_GRACE_SECONDS)
    try:
        await redis.set(keys(room_id)[1], f"{giveaway_id}:{starts:.3f}:{ends:.3f}", ex=ttl)
    except (RedisError, OSError) as exc:
        log.warning("giveaway_window_not_set", room_id=room_id, error=str(exc))


async def close_window(room_id: int, giveaway_id: int) -> None:
    redis = room_events.redis()
    if redis is None:
        return
    try:
        current = await redis.get(keys(room_id)[1])
        if current is not None and current.decode().split(":", 1)[0] == str(giveaway_id):
            await redis.delete(keys(room_id)[1])
    except (RedisError, OSError) as exc:
        log.warning("giveaway_window_not_closed", room_id=room_id, error=str(exc))


async def watched_seconds(
    room_id: int, giveaway: Any, user_ids: list[int], now: float | None = None
) -> dict[int, float]:
    """Seconds each user watched inside the giveaway's window, as of `now` (one pipeline)."""
    redis = room_events.redis()
    if redis is None or not user_ids:
        return dict.fromkeys(user_ids, 0.0)
    now = time.time() if now is None else now
    starts = giveaway["starts_at"].timestamp()
    ends = min(giveaway["ends_at"].timestamp(), now)
    in_key, window_key, watch_key = keys(room_id)
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.hmget(watch_key, [f"{giveaway['id']}:{u}" for u in user_ids])
            pipe.hmget(in_key, [str(u) for u in user_ids])
            pipe.get(window_key)
            closed, open_, window = await pipe.execute()
    except (RedisError, OSError) as exc:
        log.warning("giveaway_watch_unread", room_id=room_id, error=str(exc))
        return dict.fromkeys(user_ids, 0.0)
    if window is None and giveaway["status"] == "running":
        # Redis lost the window (a restart): stretches closing from now on count again.
        await open_window(room_id, giveaway["id"], starts, giveaway["ends_at"].timestamp())
    seen: dict[int, float] = {}
    for user_id, done, stretch in zip(user_ids, closed, open_, strict=True):
        total = float(done) if done is not None else 0.0
        if stretch is not None:
            since = float(stretch.decode().split(":", 1)[1])
            total += max(0.0, ends - max(since, starts))
        seen[user_id] = total
    return seen
