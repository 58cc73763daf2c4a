"""In every api process: close a banned user's room sockets as the platform event arrives.

The room hub subscribes only to the rooms it serves, and nobody knows which rooms a user has
open, so a ban goes out on one platform channel (infra/bans.py CHANNEL) that this listener reads
with its own pub/sub connection. Pub/sub is at most once: after (re)connecting, and every
`SWEEP_SECONDS`, the listener also asks PostgreSQL which of the users with sockets here are
banned and closes theirs, and rebuilds the Redis mirror of bans (which a failed write after a
ban's commit, or a Redis restart, may have lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import structlog
from litestar import Litestar
from redis.exceptions import RedisError

from livecommerce.infra import bans, db
from livecommerce.infra import redis as redis_infra
from livecommerce.realtime.hub import RoomHub

log = structlog.get_logger("admin.ban_listener")

CLOSE_CODE = 4003  # as a room ban closes a socket (live/moderation.py)
SWEEP_SECONDS = 60.0


def close_everywhere(hub: RoomHub, user_id: int) -> int:
    """Close this process's sockets of `user_id` in every room; returns how many."""
    return sum(
        hub.close_user(room_id, user_id, CLOSE_CODE, "banned") for room_id in list(hub.rooms)
    )


async def sweep(hub: RoomHub) -> int:
    """Close the sockets here of users who are banned now (events this process missed)."""
    present = {
        sock.actor.id
        for room in list(hub.rooms.values())
        for sock in list(room.sockets.values())
        if sock.actor is not None
    }
    if not present:
        return 0
    async with db.connection() as conn:
        banned = await conn.fetch(
            "SELECT id FROM users WHERE id = ANY($1::int[]) AND banned_at IS NOT NULL"
            " AND (banned_until IS NULL OR banned_until > now())",
            sorted(present),
        )
    return sum(close_everywhere(hub, row["id"]) for row in banned)


def _on_message(hub: RoomHub, data: bytes | str) -> None:
    try:
        user_id = int(json.loads(data)["userId"])
    except (ValueError, KeyError, TypeError):
        log.warning("ban_event_unreadable", data=str(data)[:100])
        return
    closed = close_everywhere(hub, user_id)
    log.info("banned_user_sockets_closed", user_id=user_id, closed=closed)


async def _catch_up(redis: Any, hub: RoomHub, token_ttl: int) -> None:
    try:
        await bans.remirror(redis, token_ttl)
        await sweep(hub)
    except (RedisError, OSError) as exc:
        log.warning("ban_catch_up_failed", error=str(exc))
    except Exception:  # PostgreSQL away: the next sweep tries again
        log.exception("ban_catch_up_failed")


async def listen(redis: Any, hub: RoomHub, token_ttl: int) -> None:
    while True:
        pubsub = redis_infra.pubsub(redis, ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(bans.CHANNEL)
            await _catch_up(redis, hub, token_ttl)
            loop = asyncio.get_running_loop()
            next_sweep = loop.time() + SWEEP_SECONDS
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "message":
                    _on_message(hub, message["data"])
                if loop.time() >= next_sweep:
                    next_sweep = loop.time() + SWEEP_SECONDS
                    await _catch_up(redis, hub, token_ttl)
        except asyncio.CancelledError:
            raise
        except (RedisError, OSError) as exc:
            log.warning("ban_listener_reconnecting", error=str(exc))
            await asyncio.sleep(0.5)
        except Exception:
            log.exception("ban_listener_failed")
            await asyncio.sleep(0.5)
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()


async def on_startup(app: Litestar) -> None:
    """After the app's own startup (the hub and Redis exist)."""
    token_ttl = app.state.settings.token_ttl_minutes * 60
    app.state.ban_listener = asyncio.create_task(
        listen(app.state.redis, app.state.hub, token_ttl), name="ban-listener"
    )


async def on_shutdown(app: Litestar) -> None:
    """Before the app's own shutdown closes Redis."""
    task = getattr(app.state, "ban_listener", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
