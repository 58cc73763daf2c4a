"""预约: when a session goes live, everyone who asked to be told of it (session_reminders) is,
and so is everyone who follows the room (room_follows).

- `session_started` (RoomHooks.started, in the start's transaction) enqueues, after COMMIT, one
  fan-out job per session: `reach_session` walks the session's reminders by user id in chunks,
  one transaction each, and reaches each user with period `session:{id}`.
- A job lost (Redis away at the start, a worker killed) is caught by the sweeper, every minute:
  sessions that went live in the last SWEEP_WINDOW and still have a reminder without a message
  are fanned out again. A run twice, concurrent or late says nothing twice (the message's unique
  key); each chunk skips users already reached.
- The re-check just before sending: the session is still live (a reminder for a broadcast that
  ended is no use).
"""

from __future__ import annotations

from datetime import timedelta

from asyncpg import Connection, Record

from livecommerce.domains.outreach.journey_settings import is_enabled
from livecommerce.domains.outreach.sending import Reach, reach
from livecommerce.infra import db, queue
from livecommerce.infra.db import Tx

JOURNEY = "reminder"
FAN_OUT_JOB = "reach_session_reminders"
CHUNK = 500
SWEEP_WINDOW = timedelta(minutes=10)


# Who hears of session $1 going live: those who asked (预约) and the room's followers (关注,
# live/follows.py), each once (UNION; the message's unique key says it once anyway).
AUDIENCE = (
    "SELECT user_id FROM session_reminders WHERE session_id = $1"
    " UNION SELECT f.user_id FROM room_follows f"
    " JOIN live_sessions s ON s.room_id = f.room_id WHERE s.id = $1"
)


def period(session_id: int) -> str:
    return f"session:{session_id}"


def job_id(session_id: int) -> str:
    return f"outreach:reminder:{session_id}"


async def session_started(tx: Tx, session: Record) -> None:
    """RoomHooks.started: fan out once the session is live for everyone (after COMMIT)."""
    session_id = int(session["id"])
    tx.after_commit(lambda: queue.enqueue(FAN_OUT_JOB, session_id, job_id=job_id(session_id)))


async def _live(conn: Connection, session_id: int) -> Record | None:
    return await conn.fetchrow(
        "SELECT s.id, s.room_id, s.title, r.host_id, r.title AS room_title"
        " FROM live_sessions s JOIN rooms r ON r.id = s.room_id"
        " WHERE s.id = $1 AND s.status = 'live'",
        session_id,
    )


async def reach_session(session_id: int, chunk: int = CHUNK) -> int:
    """Reach everyone who asked about this session and was not reached yet; the messages made."""
    reached, after = 0, 0
    while True:
        async with db.transaction() as tx:
            conn = tx.conn
            session = await _live(conn, session_id)
            if session is None or not await is_enabled(conn, session["host_id"], JOURNEY):
                return reached
            users = [
                r["user_id"]
                for r in await conn.fetch(
                    f"SELECT sr.user_id FROM ({AUDIENCE}) sr"
                    " WHERE sr.user_id > $2 AND NOT EXISTS ("
                    "   SELECT 1 FROM outreach_messages m WHERE m.user_id = sr.user_id"
                    "   AND m.journey = $3 AND m.period = $4)"
                    " ORDER BY sr.user_id LIMIT $5",
                    session_id,
                    after,
                    JOURNEY,
                    period(session_id),
                    chunk,
                )
            ]
            if not users:
                return reached
            after = users[-1]
            context = {
                "session_id": session_id,
                "room_id": session["room_id"],
                "room_title": session["room_title"],
                "session_title": session["title"],
            }
            for user_id in users:
                made = await reach(
                    tx,
                    Reach(
                        user_id=user_id,
                        host_id=session["host_id"],
                        journey=JOURNEY,
                        period=period(session_id),
                        template=JOURNEY,
                        context=context,
                        link=f"/rooms/{session['room_id']}",
                    ),
                )
                reached += made is not None


async def sweep() -> int:
    """Sessions live for at most SWEEP_WINDOW with someone not reached yet: fan them out here."""
    async with db.connection() as conn:
        missed = await conn.fetch(
            "SELECT s.id FROM live_sessions s WHERE s.status = 'live'"
            " AND s.started_at > now() - $1::interval AND EXISTS ("
            "   SELECT 1 FROM session_reminders sr WHERE sr.session_id = s.id AND NOT EXISTS ("
            "     SELECT 1 FROM outreach_messages m WHERE m.user_id = sr.user_id"
            "     AND m.journey = $2 AND m.period = 'session:' || s.id)"
            "   UNION ALL SELECT 1 FROM room_follows f WHERE f.room_id = s.room_id AND NOT EXISTS ("
            "     SELECT 1 FROM outreach_messages m WHERE m.user_id = f.user_id"
            "     AND m.journey = $2 AND m.period = 'session:' || s.id))"
            " ORDER BY s.id",
            SWEEP_WINDOW,
            JOURNEY,
        )
    reached = 0
    for row in missed:
        reached += await reach_session(row["id"])
    return reached


async def still_live(conn: Connection, message: Record) -> bool:
    try:
        session_id = int(str(message["period"]).removeprefix("session:"))
    except ValueError:
        return False
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM live_sessions WHERE id = $1 AND status = 'live')",
            session_id,
        )
    )
