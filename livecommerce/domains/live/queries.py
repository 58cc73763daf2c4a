"""Reads other domains need about rooms: who hosts a room, which session is live."""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.infra.errors import DomainError, ErrorCode


def room_not_found(room_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"room {room_id} not found")


def session_not_found(session_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"session {session_id} not found")


async def room(conn: Connection, room_id: int) -> Record:
    found = await conn.fetchrow("SELECT * FROM rooms WHERE id = $1", room_id)
    if found is None:
        raise room_not_found(room_id)
    return found


async def hosted_room(
    conn: Connection, room_id: int, host_id: int, *, lock: bool = False
) -> Record:
    """The room if `host_id` hosts it; someone else's room does not exist for you (404)."""
    found = await conn.fetchrow(
        "SELECT * FROM rooms WHERE id = $1 AND host_id = $2" + (" FOR UPDATE" if lock else ""),
        room_id,
        host_id,
    )
    if found is None:
        raise room_not_found(room_id)
    return found


async def live_session(conn: Connection, room_id: int) -> Record | None:
    """The room's session on air now, if any."""
    return await conn.fetchrow(
        "SELECT * FROM live_sessions WHERE room_id = $1 AND status = 'live'", room_id
    )


async def speaks_for_room(conn: Connection, room_id: int, user_id: int) -> bool:
    """The host or one of the room's moderators."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM rooms WHERE id = $1 AND host_id = $2)"
            " OR EXISTS (SELECT 1 FROM room_moderators WHERE room_id = $1 AND user_id = $2)",
            room_id,
            user_id,
        )
    )


def banned_from(room_id: int) -> DomainError:
    return DomainError(ErrorCode.BANNED, detail="you are banned from this room", roomId=room_id)


async def banned(conn: Connection, room_id: int, user_id: int) -> bool:
    """A ban on the user in the room is in force now (PostgreSQL's word, no cache)."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM room_penalties WHERE room_id = $1 AND user_id = $2"
            " AND kind = 'ban' AND lifted_at IS NULL AND (until IS NULL OR until > now()))",
            room_id,
            user_id,
        )
    )
