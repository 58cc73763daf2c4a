"""Broadcasts: scheduled -> live -> ended. Going live starts the counters from zero;
ending writes the session report to PostgreSQL from the counters and clears the pin."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import msgspec
from asyncpg import Connection, Record
from asyncpg.exceptions import UniqueViolationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from livecommerce.domains.accounts import standing
from livecommerce.domains.live import clicks, events, figures, queries
from livecommerce.domains.live.hooks import RoomHooks
from livecommerce.domains.live.rooms import current_session, session_of, session_out
from livecommerce.domains.live.schemas import (
    Counters,
    ScheduleSession,
    SessionReport,
    StartSession,
    StatsOut,
    UpdateSession,
)
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
        product_clicks=row["product_clicks"],
        product_visitors=row["product_visitors"],
        reminders=row.get("reminders") or 0,
    )


# How early (a clock a little behind) and how far ahead a start may be announced.
EARLIEST = timedelta(minutes=5)
LATEST = timedelta(days=366)


def _check_start(at: datetime) -> None:
    now = datetime.now(UTC)
    if not now - EARLIEST <= at <= now + LATEST:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            detail="scheduledAt must be between 5 minutes ago and a year from now",
            field="scheduledAt",
        )


async def _tell_upcoming(tx: db.Tx, room_id: int) -> None:
    """Viewers waiting in the room see the changed countdown and cover (unless it is live)."""
    shown = await current_session(tx.conn, room_id)
    if shown is None or shown["status"] == "live":
        return
    told = events.event("session", status=shown["status"], session=_builtins(shown))
    tx.after_commit(lambda: events.publish(room_id, told))


async def schedule(room_id: int, host: Actor, data: ScheduleSession) -> SessionReport:
    async with db.transaction() as tx:
        conn = tx.conn
        await queries.hosted_room(conn, room_id, host.id)
        _check_start(data.scheduled_at)
        row = await conn.fetchrow(
            "INSERT INTO live_sessions"
            " (room_id, title, status, scheduled_at, hls_url, cover_url, created_at)"
            " VALUES ($1, $2, 'scheduled', $3, $4, $5, now()) RETURNING *",
            room_id,
            data.title,
            data.scheduled_at,
            data.hls_url,
            data.cover_url,
        )
        await _tell_upcoming(tx, room_id)
    return report(row)


async def _scheduled(conn: Connection, session_id: int, host: Actor) -> Record:
    """The host's session, locked; 404 for anyone else's, 409 unless it is still scheduled."""
    row = await conn.fetchrow(
        "SELECT s.* FROM live_sessions s JOIN rooms r ON r.id = s.room_id"
        " WHERE s.id = $1 AND r.host_id = $2 FOR UPDATE OF s",
        session_id,
        host.id,
    )
    if row is None:
        raise queries.session_not_found(session_id)
    if row["status"] != "scheduled":
        raise DomainError(
            ErrorCode.SESSION_NOT_SCHEDULED,
            detail=f"session {session_id} is {row['status']}, not scheduled",
            sessionId=session_id,
        )
    return row


async def update(session_id: int, host: Actor, data: UpdateSession) -> SessionReport:
    """Change a scheduled session: title, start, cover, stream."""
    async with db.transaction() as tx:
        conn = tx.conn
        found = await _scheduled(conn, session_id, host)
        if data.scheduled_at is not None:
            _check_start(data.scheduled_at)
        row = await conn.fetchrow(
            "UPDATE live_sessions SET title = coalesce($2, title),"
            " scheduled_at = coalesce($3, scheduled_at), hls_url = coalesce($4, hls_url),"
            " cover_url = coalesce($5, cover_url) WHERE id = $1 RETURNING *",
            session_id,
            data.title,
            data.scheduled_at,
            data.hls_url,
            data.cover_url,
        )
        await _tell_upcoming(tx, found["room_id"])
    return report(row)


async def cancel(session_id: int, host: Actor) -> None:
    """Call off a scheduled session (nothing refers to one that never went live)."""
    async with db.transaction() as tx:
        conn = tx.conn
        found = await _scheduled(conn, session_id, host)
        await conn.execute("DELETE FROM live_sessions WHERE id = $1", session_id)
        room_id = found["room_id"]
        shown = await current_session(conn, room_id)
        if shown is None or shown["status"] != "live":
            told = events.event(
                "session",
                status=shown["status"] if shown else "none",
                session=_builtins(shown) if shown else None,
            )
            tx.after_commit(lambda: events.publish(room_id, told))


async def start(
    redis: Redis,
    room_id: int,
    host: Actor,
    data: StartSession,
    hooks: RoomHooks = RoomHooks(),  # noqa: B008 - frozen, shared on purpose
) -> SessionReport:
    """Go live with the next scheduled session, or a new one. One live session per room
    (a partial unique index decides between two concurrent starts). `hooks.started` run in the
    start's transaction (those who asked to be reminded are told after COMMIT)."""
    try:
        async with db.transaction() as tx:
            conn = tx.conn
            room = await queries.hosted_room(conn, room_id, host.id, lock=True)
            await standing.ensure_not_suspended(conn, room["host_id"], "host")
            if await queries.live_session(conn, room_id) is not None:
                raise _already_live(room_id)
            row = await conn.fetchrow(
                "UPDATE live_sessions SET status = 'live', started_at = now(),"
                " title = coalesce($2, title),"
                " hls_url = coalesce($3, hls_url), cover_url = coalesce($4, cover_url)"
                " WHERE id = (SELECT id FROM live_sessions"
                " WHERE room_id = $1 AND status = 'scheduled'"
                "             ORDER BY scheduled_at NULLS LAST, id LIMIT 1) RETURNING *",
                room_id,
                data.title,
                data.hls_url,
                data.cover_url,
            ) or await conn.fetchrow(
                "INSERT INTO live_sessions"
                " (room_id, title, status, started_at, hls_url, cover_url, created_at)"
                " VALUES ($1, $2, 'live', now(), $3, $4, now()) RETURNING *",
                room_id,
                data.title or room["title"],
                data.hls_url or "",
                data.cover_url or "",
            )
            live = events.event("session", status="live", session=_builtins(row))
            showcase = await clicks.showcase_ids(conn, room_id)
            for started in hooks.started:
                await started(tx, row)

            async def open_the_room() -> None:
                try:
                    await room_counters.reset(redis, room_id)
                    await redis.delete(joined_key(room_id), *clicks.session_keys(room_id))
                    await clicks.write_showcase(redis, room_id, showcase)
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
        counters, by_product = await _live_counters(redis, room_id)
        saved = await figures.save(conn, live["id"], counters, by_product)
        await figures.sample(conn, live["id"], _reading(counters, saved))
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


# Every counter a session has: the hub's, and product opens (clicks.py).
NAMES = (*room_counters.COUNTER_NAMES, "productClicks", "productVisitors")


async def _live_counters(redis: Redis, room_id: int) -> tuple[dict[str, int], dict[int, int]]:
    """Every counter of the room in Redis, and product opens per product id."""
    try:
        counters = await room_counters.read(redis, room_id)
        products = await clicks.read(redis, room_id)
    except (RedisError, OSError):
        return {}, {}  # Redis away: the saved floor stands
    counters.update(productClicks=products.clicks, productVisitors=products.visitors)
    return counters, products.by_product


def _reading(live: dict[str, int], saved: Record) -> dict[str, int]:
    """Redis's counters, none below the saved floor (orders and GMV: PostgreSQL's)."""
    return figures.merged(
        live or dict.fromkeys(NAMES, 0),
        {**figures.floor_of(saved), "orders": saved["orders"], "gmv": saved["gmv"]},
    )


async def checkpoint(conn: Connection, redis: Redis, session: Record) -> dict[str, int]:
    """Save a live session's counters as its floor (and a sample of the online curve), or
    restore Redis from the floor if it lost them."""
    room_id = session["room_id"]
    live, by_product = await _live_counters(redis, room_id)
    saved = await figures.save(conn, session["id"], live, by_product)
    floor = figures.floor_of(saved)
    opens = clicks.saved(saved)
    behind = any(live.get(k, 0) < v for k, v in floor.items()) or any(
        by_product.get(k, 0) < v for k, v in opens.items()
    )
    if live:
        with contextlib.suppress(RedisError, OSError):
            if behind or live.get("orders") != saved["orders"] or live.get("gmv") != saved["gmv"]:
                await figures.restore(redis, room_id, floor, saved["orders"], saved["gmv"])
                await clicks.restore(redis, room_id, clicks.ProductFigures(by_product=opens))
            await clicks.ensure_showcase(conn, redis, room_id)
    reading = _reading(live, saved)
    await figures.sample(conn, session["id"], reading)
    return reading


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
            counters = dict.fromkeys(NAMES, 0)
        elif session["status"] == "live":
            counters = await checkpoint(conn, redis, session)
        else:
            counters = {
                **figures.floor_of(session),
                "online": 0,
                "orders": session["orders"],
                "gmv": session["gmv"],
            }
    return StatsOut(
        room_id=room_id,
        session=session_out(session),
        counters=counters_out(counters),
        conversion_bp=conversion_bp(counters),
    )


def counters_out(counters: dict[str, int]) -> Counters:
    return Counters(
        online=counters.get("online", 0),
        peak=counters.get("peak", 0),
        unique_viewers=counters.get("uniqueViewers", 0),
        views=counters.get("views", 0),
        likes=counters.get("likes", 0),
        comments=counters.get("comments", 0),
        orders=counters.get("orders", 0),
        gmv=counters.get("gmv", 0),
        product_clicks=counters.get("productClicks", 0),
        product_visitors=counters.get("productVisitors", 0),
    )


def conversion_bp(counters: dict[str, int]) -> int:
    """Paid orders per unique viewer, in basis points."""
    uv = counters.get("uniqueViewers", 0)
    return counters.get("orders", 0) * 10_000 // uv if uv else 0
