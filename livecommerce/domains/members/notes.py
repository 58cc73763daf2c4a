"""Staff notes on a member and the follow-up status (待跟进 → 跟进中 → 已成交 / 已流失) with its
history: every change keeps who made it, when, and from what to what.

A status change locks the (host, user) follow-up row, so two staff changing it at once write two
history rows whose from → to chain (never two changes from the same status)."""

from __future__ import annotations

from asyncpg import Connection

from livecommerce.domains.members import people
from livecommerce.domains.members.crm_schemas import FollowUpChangeOut, FollowUpOut, NoteOut
from livecommerce.infra import db

DEFAULT_STATUS = "todo"
NOTES_SHOWN = 100


async def notes_of(conn: Connection, host_id: int, user_id: int) -> list[NoteOut]:
    rows = await conn.fetch(
        "SELECT n.id, n.body, n.author_id, a.display_name AS author_name, n.created_at"
        " FROM member_notes n LEFT JOIN users a ON a.id = n.author_id"
        " WHERE n.host_id = $1 AND n.user_id = $2 ORDER BY n.id DESC LIMIT $3",
        host_id,
        user_id,
        NOTES_SHOWN,
    )
    return [NoteOut(**dict(r)) for r in rows]


async def add_note(host_id: int, author_id: int, user_id: int, body: str) -> NoteOut:
    async with db.transaction() as tx:
        conn = tx.conn
        await people.ensure_visible(conn, host_id, user_id)
        row = await conn.fetchrow(
            "INSERT INTO member_notes (host_id, user_id, author_id, body) VALUES ($1, $2, $3, $4)"
            " RETURNING id, body, author_id, created_at,"
            " (SELECT display_name FROM users WHERE id = $3) AS author_name",
            host_id,
            user_id,
            author_id,
            body.strip(),
        )
    return NoteOut(**dict(row))


async def follow_up_of(conn: Connection, host_id: int, user_id: int) -> FollowUpOut:
    current = await conn.fetchrow(
        "SELECT f.status, f.updated_at, u.display_name AS updated_by FROM member_followups f"
        " LEFT JOIN users u ON u.id = f.updated_by_id WHERE f.host_id = $1 AND f.user_id = $2",
        host_id,
        user_id,
    )
    history = await conn.fetch(
        "SELECT h.from_status, h.to_status, h.actor_id, u.display_name AS actor_name,"
        " h.created_at AS at FROM member_followup_history h"
        " LEFT JOIN users u ON u.id = h.actor_id"
        " WHERE h.host_id = $1 AND h.user_id = $2 ORDER BY h.id DESC LIMIT 100",
        host_id,
        user_id,
    )
    return FollowUpOut(
        status=current["status"] if current else DEFAULT_STATUS,
        updated_at=current["updated_at"] if current else None,
        updated_by=current["updated_by"] if current else None,
        history=[FollowUpChangeOut(**dict(r)) for r in history],
    )


async def set_follow_up(host_id: int, actor_id: int, user_id: int, status: str) -> FollowUpOut:
    """Move the status (to the one it has: no change, no history row)."""
    async with db.transaction() as tx:
        conn = tx.conn
        await people.ensure_visible(conn, host_id, user_id)
        await conn.execute(
            "INSERT INTO member_followups (host_id, user_id, status) VALUES ($1, $2, $3)"
            " ON CONFLICT (host_id, user_id) DO NOTHING",
            host_id,
            user_id,
            DEFAULT_STATUS,
        )
        before = await conn.fetchval(
            "SELECT status FROM member_followups WHERE host_id = $1 AND user_id = $2 FOR UPDATE",
            host_id,
            user_id,
        )
        if before != status:
            await conn.execute(
                "UPDATE member_followups SET status = $3, updated_by_id = $4, updated_at = now()"
                " WHERE host_id = $1 AND user_id = $2",
                host_id,
                user_id,
                status,
                actor_id,
            )
            await conn.execute(
                "INSERT INTO member_followup_history"
                " (host_id, user_id, from_status, to_status, actor_id) VALUES ($1, $2, $3, $4, $5)",
                host_id,
                user_id,
                before,
                status,
                actor_id,
            )
        return await follow_up_of(conn, host_id, user_id)
