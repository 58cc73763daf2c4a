"""Every operator action, recorded in the transaction that performs it (who, when, what, on
what, before, after, why), so an action and its audit row commit or vanish together.

Raw SQL on `operator_actions` (domains/admin/tables.py) so that any domain may record without
importing the console."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from asyncpg import Connection

from livecommerce.infra.schema import Out


def _json(value: Any) -> str | None:
    return None if value is None else msgspec.json.encode(value).decode()


async def record(
    conn: Connection,
    actor_id: int | None,
    action: str,
    target_kind: str,
    target_id: int | None = None,
    *,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> int:
    """Call inside the action's transaction; `before`/`after` are JSON-able (dicts of the fields
    the action changed)."""
    return await conn.fetchval(
        "INSERT INTO operator_actions"
        " (actor_id, action, target_kind, target_id, before, after, reason, created_at)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, now()) RETURNING id",
        actor_id,
        action,
        target_kind,
        target_id,
        _json(before),
        _json(after),
        reason,
    )


class AuditEntry(Out):
    id: int
    actor_id: int | None
    actor_name: str | None
    action: str
    target_kind: str
    target_id: int | None
    before: Any
    after: Any
    reason: str
    created_at: datetime


async def entries(
    conn: Connection,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    target_kind: str | None = None,
    target_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """Newest first; each filter optional; `before_id` pages back (the id of the last row seen).
    `action` matches a prefix too (`withdrawal.` is every withdrawal decision)."""
    rows = await conn.fetch(
        "SELECT a.*, u.username AS actor_name FROM operator_actions a"
        " LEFT JOIN users u ON u.id = a.actor_id"
        " WHERE ($1::text IS NULL OR a.action = $1 OR a.action LIKE $1 || '%')"
        " AND ($2::int IS NULL OR a.actor_id = $2)"
        " AND ($3::text IS NULL OR a.target_kind = $3)"
        " AND ($4::bigint IS NULL OR a.target_id = $4)"
        " AND ($5::int IS NULL OR a.id < $5)"
        " ORDER BY a.id DESC LIMIT $6",
        action,
        actor_id,
        target_kind,
        target_id,
        before_id,
        limit,
    )
    return [
        AuditEntry(
            id=row["id"],
            actor_id=row["actor_id"],
            actor_name=row["actor_name"],
            action=row["action"],
            target_kind=row["target_kind"],
            target_id=row["target_id"],
            before=msgspec.json.decode(row["before"]) if row["before"] else None,
            after=msgspec.json.decode(row["after"]) if row["after"] else None,
            reason=row["reason"],
            created_at=row["created_at"],
        )
        for row in rows
    ]
