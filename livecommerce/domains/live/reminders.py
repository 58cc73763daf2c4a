"""开播提醒 (预约): a viewer asks to be told when a scheduled session goes live.

Here it is only recorded and counted, for the viewer's button and the host's console; the
outreach journey sends the reminder later and reads these rows. Asking twice is asking once
(a unique key), and only a session still scheduled takes new ones.
"""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains.live import queries
from livecommerce.domains.live.schemas import ReminderOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode


async def count(conn: Connection, session_id: int) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM session_reminders WHERE session_id = $1", session_id
        )
    )


async def _session(conn: Connection, session_id: int, *, share: bool = False) -> Record:
    # FOR SHARE: a start that flips the session to live waits, so no reminder lands on a
    # session that is already on air.
    found = await conn.fetchrow(
        "SELECT id, status FROM live_sessions WHERE id = $1" + (" FOR SHARE" if share else ""),
        session_id,
    )
    if found is None:
        raise queries.session_not_found(session_id)
    return found


async def _out(conn: Connection, session_id: int, user_id: int | None) -> ReminderOut:
    mine = user_id is not None and bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM session_reminders"
            " WHERE session_id = $1 AND user_id = $2)",
            session_id,
            user_id,
        )
    )
    return ReminderOut(session_id=session_id, count=await count(conn, session_id), reminded=mine)


async def remind(session_id: int, actor: Actor) -> ReminderOut:
    """Record the viewer's wish (idempotent); 409 `session_not_scheduled` once it went live or
    ended: there is nothing left to remind of."""
    async with db.transaction() as tx:
        session = await _session(tx.conn, session_id, share=True)
        if session["status"] != "scheduled":
            raise DomainError(
                ErrorCode.SESSION_NOT_SCHEDULED,
                detail=f"session {session_id} is {session['status']}: reminders are for"
                " upcoming sessions",
                sessionId=session_id,
                sessionStatus=session["status"],
            )
        await tx.conn.execute(
            "INSERT INTO session_reminders (session_id, user_id, created_at)"
            " VALUES ($1, $2, now()) ON CONFLICT (session_id, user_id) DO NOTHING",
            session_id,
            actor.id,
        )
        return await _out(tx.conn, session_id, actor.id)


async def forget(session_id: int, actor: Actor) -> ReminderOut:
    """Take the wish back (idempotent, whatever the session's state)."""
    async with db.transaction() as tx:
        await _session(tx.conn, session_id)
        await tx.conn.execute(
            "DELETE FROM session_reminders WHERE session_id = $1 AND user_id = $2",
            session_id,
            actor.id,
        )
        return await _out(tx.conn, session_id, actor.id)


async def status(session_id: int, actor: Actor | None) -> ReminderOut:
    """How many asked, and whether this viewer did (a guest did not)."""
    async with db.connection() as conn:
        await _session(conn, session_id)
        return await _out(conn, session_id, actor.id if actor else None)
