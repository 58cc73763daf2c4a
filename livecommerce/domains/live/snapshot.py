"""The frame a viewer gets on joining a room: the room, its session, showcase and pin,
what other domains add (coupons, red packets), and what the viewer may do."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Any, cast

import msgspec
from redis.exceptions import RedisError

from livecommerce.domains.accounts import profile
from livecommerce.domains.live import events, moderation, rooms, sessions
from livecommerce.domains.live.hooks import RoomHooks
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError
from livecommerce.realtime.errors import JoinRefused


async def room_snapshot(hooks: RoomHooks, room_id: int, actor: Actor | None) -> dict[str, Any]:
    try:
        rules = await moderation.rules(room_id)
    except DomainError:
        raise JoinRefused(4404, "room not found") from None
    if actor is not None and rules.penalty("ban", actor.id):
        raise JoinRefused(4003, "banned from this room")
    detail = await rooms.get_room(room_id)
    payload: dict[str, Any] = msgspec.to_builtins(detail)
    async with db.connection() as conn:
        for part in hooks.snapshot_parts:
            payload.update(await part(conn, room_id, actor))
    payload["pinned"] = next(
        (p for p in payload["showcase"] if p["id"] == detail.pinned_product_id), None
    )
    payload["you"] = None
    if actor is not None:
        payload["you"] = {
            "userId": actor.id,
            "username": actor.username,
            "name": await profile.chat_name(actor),  # what the room sees of you
            "speaksForRoom": rules.speaks_for_room(actor.id),
            "isHost": actor.id == rules.host_id,
            "muted": rules.penalty("mute", actor.id) is not None,
        }
        redis = events.redis()
        if redis is not None and detail.session is not None and detail.session.status == "live":
            try:
                # redis-py types its commands for the sync and the async client at once.
                joined = redis.hsetnx(
                    sessions.joined_key(room_id), str(actor.id), str(int(time.time()))
                )
                await cast("Awaitable[bool]", joined)
            except (RedisError, OSError):
                pass
    return payload
