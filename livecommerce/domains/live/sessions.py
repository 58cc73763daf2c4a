"""Broadcasts: scheduled -> live -> ended. Going live starts the counters from zero;
ending writes the session report to PostgreSQL from the counters and clears the pin."""

from __future__ import annotations

import contextlib

import msgspec
from asyncpg import Connection, Record
from asyncpg.exceptions import UniqueViolationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from livecommerce.domains.live import events, figures, queries
from livecommerce.domains.live.rooms import session_of, session_out
from livecommerce.domains.live.schemas import ScheduleSession, SessionReport, StartSession, StatsOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.realtime import counters as room_counters


def joined_key(room_id: int) -> str:
    """user id -> epoch of their first join in this session (red packets' minimum watch time)."""
    return f"{{room:{room_id}}}:joined"


def report(row: Record) -> SessionReport:
    session = session_of(row)
    return SessionReport(
        **{f: getattr(session, f) for f in session.__struct_fields__},
        peak_online=row["peak_online"],
        unique_viewers=row["unique_viewers"],
        views=row["views"],
        likes=row["likes"],
        comments=row["comments"],
        orders=row["orders"],
        gmv=row["gmv"],
    )


async def schedule(room_id: int, host: Actor, data: ScheduleSession) -> SessionReport:
    async with db.transaction() as tx:
        conn = tx.conn
        await queries.hosted_room(conn, room_id, host.id)
        row = await conn.fetchrow(
            "INSERT INTO live_sessions (room_id, title, status, scheduled_at, hls_url, created_at)"
            " VALUES ($1, $2, 'scheduled', $3, $4, now()) RETURNING *",
            room_id,
            data.title,
            data.scheduled_at,
            data.hls_url,
        )
    return report(row)


async def start(redis: Redis, room_id: int, host: Actor, data: StartSession) -> SessionReport:
    """Go live with the next scheduled session, or a new one. One live session per room
    (a partial unique index decides between two concurrent starts)."""
    try:
        async with db.transaction() as tx:
            conn = tx.conn
            room = await queries.hosted_room(conn, room_id, host.id, lock=True)
            if await queries.live_session(conn, room_id) is not None:
                raise _already_live(room_id)
            row = await conn.fetchrow(
                "UPDATE live_sessions SET status = 'live', started_at = now(),"
                " title = coalesce($2, title),"
                " hls_url = coalesce($3, hls_url)"
                " WHERE id = (SELECT id FROM live_sessions"
                " WHERE room_id = $1 AND status = 'scheduled'"
                "             ORDER BY scheduled_at NULLS LAST, id LIMIT 1) RETURNING *",
                room_id,
                data.title,
                data.hls_url,
            ) or await conn.fetchrow(
                "INSERT INTO live_sessions"
                " (room_id, title, status, started_at, hls_url, created_at)"
                " VALUES ($1, $2, 'live', now(), $3, now()) RETURNING *",
                room_id,
                data.title or room["title"],
                data.hls_url or "",
            )
            live = events.event("session", status="live", session=_builtins(row))

            async def open_the_room() -> None:
                try:
                    await room_counters.reset(redis, room_id)
                    await redis.delete(joined_key(room_id))
                except (RedisError, OSError):
                    pass  # the checkpoint and the floor keep the figures right; a new floor is 0
                await events.publish(room_id, live)

            tx.after_commit(open_the_room)
    except UniqueViolationError:
        raise _already_live(room_id) from None
    return report(row)


def _already_live(room_id: int) -> DomainError:
    return DomainError(ErrorCode.SESSION_ALREADY_LIVE, detail=f"room {room_id} is live already")


def _builtins(row: Record) -> dict:
    return msgspec.to_builtins(session_out(row))


async def end(redis: Redis, room_id: int, host: Actor) -> SessionReport:
    """End the live session: its figures become the session report."""
    async with db.transaction() as tx:
        conn = tx.conn
        await queries.hosted_room(conn, room_id, host.id, lock=True)
        live = await queries.live_session(conn, room_id)
        if live is None:
            raise DomainError(ErrorCode.ROOM_NOT_LIVE, detail=f"room {room_id} is not live")
        counters = await _live_counters(redis, room_id)
        await figures.save(conn, live["id"], counters)
        row = await conn.fetchrow(
            "UPDATE live_sessions SET status = 'ended', ended_at = now() WHERE id = $1 RETURNING *",
            live["id"],
        )
        await conn.execute("UPDATE rooms SET pinned_product_id = NULL WHERE id = $1", room_id)
        ended = events.event(
            "session", status="ended", session=_builtins(row), report=_report_dict(row)
        )
        tx.after_commit(lambda: events.publish(room_id, ended))
    return report(row)


def _report_dict(row: Record) -> dict:
    return msgspec.to_builtins(report(row))


async def _live_counters(redis: Redis, room_id: int) -> dict[str, int]:
    try:
        return await room_counters.read(redis, room_id)
    except (RedisError, OSError):
        return {}  # Redis away: the saved floor stands


async def checkpoint(conn: Connection, redis: Redis, session: Record) -> dict[str, int]:
    """Save a live session's counters as its floor, or restore Redis from the floor if it lost
    them."""
    live = await _live_counters(redis, session["room_id"])
    saved = await figures.save(conn, session["id"], live)
    floor = figures.floor_of(saved)
    behind = any(live.get(k, 0) < v for k, v in floor.items())
    if live and (
        behind or live.get("orders") != saved["orders"] or live.get("gmv") != saved["gmv"]
    ):
        with contextlib.suppress(RedisError, OSError):
            await figures.restore(redis, session["room_id"], floor, saved["orders"], saved["gmv"])
    return figures.merged(
        live or dict.fromkeys(room_counters.COUNTER_NAMES, 0),
        {**floor, "orders": saved["orders"], "gmv": saved["gmv"]},
    )


async def checkpoint_all(redis: Redis) -> int:
    """Every live session, one short transaction each (a job; running it twice is harmless)."""
    async with db.connection() as conn:
        live = await conn.fetch("SELECT * FROM live_sessions WHERE status = 'live' ORDER BY id")
    for session in live:
        async with db.transaction() as tx:
            conn = tx.conn
            await checkpoint(conn, redis, session)
    return len(live)


async def stats(redis: Redis, room_id: int, actor: Actor) -> StatsOut:
    """The host's (or an admin's) view of the room's current session, restored from the floor if
    need be."""
    async with db.transaction() as tx:
        conn = tx.conn
        room = await queries.room(conn, room_id)
        if (
            room["host_id"] != actor.id
            and not actor.is_admin
            and not await queries.speaks_for_room(conn, room_id, actor.id)
        ):
            raise queries.room_not_found(room_id)
        session = await queries.live_session(conn, room_id) or await conn.fetchrow(
            "SELECT * FROM live_sessions WHERE room_id = $1 AND status = 'ended'"
            " ORDER BY ended_at DESC LIMIT 1",
            room_id,
        )
        if session is None:
            counters = dict.fromkeys(room_counters.COUNTER_NAMES, 0)
        elif session["status"] == "live":
            counters = await checkpoint(conn, redis, session)
        else:
            counters = {
                **figures.floor_of(session),
                "online": 0,
                "orders": session["orders"],
                "gmv": session["gmv"],
            }
    uv = counters.get("uniqueViewers", 0)
    return StatsOut(
        room_id=room_id,
        session=session_out(session),
        counters=counters,
        conversion_bp=counters.get("orders", 0) * 10_000 // uv if uv else 0,
    )
