"""What a reloaded console shows of the room's recent chat.

The hub keeps the last lines of each room in a Redis list as it publishes them (one RPUSH per
process per tick, see realtime/hub.py); a new session starts it empty (sessions.start), and a
message a moderator deletes leaves it (moderation.py). Chat is not kept in PostgreSQL: it is
ephemeral in a live room, and a busy one writes more lines a second than an order table would.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable
from typing import Any, cast

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from livecommerce.domains.live import queries
from livecommerce.domains.live.schemas import ChatLine
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.realtime import counters as room_counters

_decode = msgspec.json.Decoder(dict[str, Any]).decode

# Remove the line whose id is ARGV[1] (the list holds ~100 encoded events: a scan is cheap).
FORGET_LUA = """
local needle = '"id":' .. cjson.encode(ARGV[1])
for _, line in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if string.find(line, needle, 1, true) then
    redis.call('LREM', KEYS[1], 1, line)
    return 1
  end
end
return 0
"""


async def recent_chat(redis: Redis, room_id: int, actor: Actor, limit: int) -> list[ChatLine]:
    """The room's last chat lines, oldest first: for its host, moderators and admins."""
    async with db.connection() as conn:
        await queries.room(conn, room_id)
        if not actor.is_admin and not await queries.speaks_for_room(conn, room_id, actor.id):
            raise queries.room_not_found(room_id)
    key = room_counters.chat_key(room_id)
    try:
        # redis-py types its commands for the sync and the async client at once.
        raw = await cast("Awaitable[list[bytes]]", redis.lrange(key, -limit, -1))
    except (RedisError, OSError):
        return []  # Redis away: the console starts with an empty chat, as it used to
    lines = []
    for item in raw:
        try:
            event = _decode(item)
            lines.append(
                ChatLine(
                    id=str(event["id"]),
                    user_id=int(event["userId"]),
                    # lines said before chat carried display names have the login name
                    name=str(event.get("name") or event["username"]),
                    text=str(event["text"]),
                    ts=float(event.get("ts") or 0),
                    priority=bool(event.get("priority")),
                )
            )
        except (msgspec.DecodeError, KeyError, TypeError, ValueError):
            continue
    return lines


async def forget(redis: Redis | None, room_id: int, message_id: str) -> None:
    if redis is None:
        return
    with contextlib.suppress(RedisError, OSError):
        forgot = redis.eval(FORGET_LUA, 1, room_counters.chat_key(room_id), message_id)
        await cast("Awaitable[int]", forgot)
