"""Who may speak in a room: the host and moderators always; others unless muted, banned or
slowed down. PostgreSQL holds the penalties (kept as history); each api process caches a
room's rules for a moment and drops the cache when a `moderation` event goes by, so a
mute applies on every process as soon as the event arrives."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from asyncpg import Connection
from redis.exceptions import RedisError

from livecommerce.domains.live import events, history, queries
from livecommerce.domains.live.hooks import Chatted
from livecommerce.domains.live.schemas import Moderate, ModerationOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.plain_words import Words
from livecommerce.realtime.errors import ChatRejected
from livecommerce.realtime.errors import ErrorCode as WsCode
from livecommerce.realtime.hub import RoomHub

log = structlog.get_logger("live.moderation")

CACHE_SECONDS = 2.0  # the most a process may lag behind a moderation event it missed


@dataclass
class RoomRules:
    host_id: int
    moderators: set[int]
    muted: dict[int, float]  # user id -> until (epoch seconds, inf: until lifted)
    banned: dict[int, float]
    slow_seconds: int
    loaded_at: float = field(default_factory=time.monotonic)

    def speaks_for_room(self, user_id: int) -> bool:
        return user_id == self.host_id or user_id in self.moderators

    def penalty(self, kind: str, user_id: int) -> float | None:
        until = (self.banned if kind == "ban" else self.muted).get(user_id)
        return until if until is not None and until > time.time() else None


_cache: dict[int, RoomRules] = {}


def forget(room_id: int) -> None:
    _cache.pop(room_id, None)


def forget_all() -> None:
    """Tests reuse room ids after truncating; production never does."""
    _cache.clear()


async def rules(room_id: int) -> RoomRules:
    cached = _cache.get(room_id)
    if cached is not None and time.monotonic() - cached.loaded_at < CACHE_SECONDS:
        return cached
    async with db.connection() as conn:
        room = await queries.room(conn, room_id)
        mods = await conn.fetch("SELECT user_id FROM room_moderators WHERE room_id = $1", room_id)
        penalties = await conn.fetch(
            "SELECT user_id, kind, extract(epoch FROM until) AS until FROM room_penalties"
            " WHERE room_id = $1 AND lifted_at IS NULL AND (until IS NULL OR until > now())",
            room_id,
        )
    found = RoomRules(
        room["host_id"], {m["user_id"] for m in mods}, {}, {}, room["slow_mode_seconds"]
    )
    for p in penalties:
        target = found.banned if p["kind"] == "ban" else found.muted
        until = float("inf") if p["until"] is None else float(p["until"])
        target[p["user_id"]] = max(until, target.get(p["user_id"], 0.0))
    _cache[room_id] = found
    return found


async def ensure_not_banned(room_id: int, user_id: int) -> None:
    """A banned user takes nothing of the room's (coupons, red packets): 403 `banned`. From this
    process's cached rules, at most CACHE_SECONDS behind a ban it did not hear of, so the
    transaction that writes checks PostgreSQL again (queries.banned)."""
    if (await rules(room_id)).penalty("ban", user_id):
        raise queries.banned_from(room_id)


async def authorize_chat(room_id: int, actor: Actor, text: str) -> bool:
    """The websocket's chat hook: True for the room's own voices (never sampled), or refused."""
    found = await rules(room_id)
    if found.speaks_for_room(actor.id):
        return True
    if found.penalty("ban", actor.id):
        raise ChatRejected(WsCode.BANNED, "you are banned from this room")
    if found.penalty("mute", actor.id):
        raise ChatRejected(WsCode.MUTED, "you are muted in this room")
    redis = events.redis() if found.slow_seconds else None
    if redis is not None:
        try:
            first = await redis.set(
                f"{{room:{room_id}}}:slow:{actor.id}", 1, nx=True, ex=found.slow_seconds
            )
        except (RedisError, OSError):
            first = True  # Redis away: let the message through rather than silence the room
        if not first:
            raise ChatRejected(
                WsCode.SLOW_MODE, f"slow mode: one message every {found.slow_seconds} s"
            )
    return False


async def authorize_and_tell(
    chatted: tuple[Chatted, ...], room_id: int, actor: Actor, text: str
) -> bool:
    """`authorize_chat`, then those who listen to accepted lines (`RoomHooks.chatted`); what a
    listener does wrong is logged, and the line still goes out."""
    priority = await authorize_chat(room_id, actor, text)
    for listener in chatted:
        try:
            await listener(room_id, actor, text)
        except Exception:
            log.exception("chat_listener_failed", room_id=room_id)
    return priority


async def moderate(room_id: int, actor: Actor, data: Moderate) -> ModerationOut:
    async with db.transaction() as tx:
        conn = tx.conn
        room = await queries.room(conn, room_id)
        is_host = room["host_id"] == actor.id or actor.is_admin
        if not is_host and not await queries.speaks_for_room(conn, room_id, actor.id):
            raise queries.room_not_found(room_id)
        if data.action in ("add_moderator", "remove_moderator", "slow_mode") and not is_host:
            raise DomainError(
                ErrorCode.FORBIDDEN,
                detail=f"only the host may {data.action.replace('_', ' ')}",
            )
        user_id = await _target(conn, data)
        out = ModerationOut(action=data.action, user_id=user_id)
        if data.action == "slow_mode":
            if data.seconds is None:
                raise _missing("seconds")
            await conn.execute(
                "UPDATE rooms SET slow_mode_seconds = $2 WHERE id = $1", room_id, data.seconds
            )
            out.slow_mode_seconds = data.seconds
        elif data.action == "delete_message":
            if not data.message_id:
                raise _missing("messageId")
            out.message_id = data.message_id
        else:
            if user_id is None:
                raise _missing("userId")
            if not await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)", user_id
            ):
                raise DomainError(ErrorCode.NOT_FOUND, detail=f"user {user_id} not found")
            if data.action in ("mute", "ban"):
                if user_id == room["host_id"] or await queries.speaks_for_room(
                    conn, room_id, user_id
                ):
                    raise DomainError(
                        ErrorCode.CANNOT_MODERATE,
                        detail="the host and moderators can't be muted or banned",
                    )
                until = (
                    datetime.now(UTC) + timedelta(minutes=data.minutes) if data.minutes else None
                )
                await conn.execute(
                    "INSERT INTO room_penalties"
                    " (room_id, user_id, kind, until, reason, created_by_id, created_at)"
                    " VALUES ($1, $2, $3, $4, $5, $6, now())",
                    room_id,
                    user_id,
                    data.action,
                    until,
                    data.reason,
                    actor.id,
                )
                out.until = until
            elif data.action in ("unmute", "unban"):
                await conn.execute(
                    "UPDATE room_penalties SET lifted_at = now()"
                    " WHERE room_id = $1 AND user_id = $2 AND kind = $3 AND lifted_at IS NULL",
                    room_id,
                    user_id,
                    data.action.removeprefix("un"),
                )
            elif data.action == "add_moderator":
                if user_id == room["host_id"]:
                    raise DomainError(
                        ErrorCode.CANNOT_MODERATE,
                        detail="the host moderates the room already",
                    )
                await conn.execute(
                    "INSERT INTO room_moderators (room_id, user_id, created_at)"
                    " VALUES ($1, $2, now()) ON CONFLICT DO NOTHING",
                    room_id,
                    user_id,
                )
            else:
                await conn.execute(
                    "DELETE FROM room_moderators WHERE room_id = $1 AND user_id = $2",
                    room_id,
                    user_id,
                )
    forget(room_id)
    await events.publish(room_id, _moderation_event(data, out))
    if out.message_id:
        await history.forget(events.redis(), room_id, out.message_id)
    return out


def _moderation_event(data: Moderate, out: ModerationOut) -> dict[str, Any]:
    return events.event(
        "moderation",
        priority=True,
        action=data.action,
        userId=out.user_id,
        messageId=out.message_id,
        until=out.until.isoformat() if out.until else None,
        slowModeSeconds=out.slow_mode_seconds,
    )


async def _target(conn: Connection, data: Moderate) -> int | None:
    """The user acted on: `userId`, else the account `username` names (a host appointing a
    moderator knows their login, not their id)."""
    if data.user_id is not None or not data.username:
        return data.user_id
    found = await conn.fetchval(
        "SELECT id FROM users WHERE username = $1", data.username.strip().lower()
    )
    if found is None:
        raise DomainError(
            ErrorCode.NOT_FOUND, detail=f"no user {data.username!r}", field="username"
        )
    return int(found)


def _missing(name: str) -> DomainError:
    return DomainError(
        ErrorCode.VALIDATION_ERROR,
        detail=f"{name} is required for this action",
        field=name,
        words=Words("required", name),
    )


def on_room_events(hub: RoomHub, room_id: int, batch: list[dict[str, Any]]) -> None:
    """Every process sees every room event: drop the cached rules on moderation, close a banned
    user's sockets."""
    for event in batch:
        if event.get("type") != "moderation":
            continue
        forget(room_id)
        if event.get("action") == "ban" and event.get("userId") is not None:
            hub.close_user(room_id, event["userId"], 4003, "banned")
