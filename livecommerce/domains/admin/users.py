"""The operator's view of people: search every account, and one account in full."""

from __future__ import annotations

from typing import Any

from asyncpg import Connection, Record

from livecommerce.domains.accounts import services as accounts
from livecommerce.domains.admin.schemas import (
    DistributorStanding,
    HostStanding,
    UserDetail,
    UserPage,
    UserRow,
)
from livecommerce.infra import audit, bans, db
from livecommerce.infra.errors import DomainError, ErrorCode

# A user and their counts; `$n` placeholders are filled by the callers' WHERE.
_ROW = (
    "SELECT u.id, u.username, u.display_name, u.roles, u.created_at, u.banned_at,"
    " u.banned_until, u.ban_changed_at, u.suspended_roles,"
    " (SELECT count(*) FROM orders o WHERE o.buyer_id = u.id) AS orders,"
    " (SELECT count(*) FROM rooms r WHERE r.host_id = u.id) AS rooms"
    " FROM users u"
)

# Banned now: the same rule as infra/bans.py's Ban.active.
BANNED_NOW = "u.banned_at IS NOT NULL AND (u.banned_until IS NULL OR u.banned_until > now())"


def user_row(row: Record) -> UserRow:
    ban = bans.from_row(row)
    banned = ban is not None and ban.active()
    return UserRow(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        roles=sorted(row["roles"] or []),
        status="banned" if banned else "active",
        banned_until=row["banned_until"] if banned else None,
        suspended_roles=sorted(row["suspended_roles"] or []),
        created_at=row["created_at"],
        orders=row["orders"],
        rooms=row["rooms"],
    )


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(
    q: str | None, role: str | None, status: str | None, cursor: int | None, limit: int
) -> UserPage:
    """Newest first. `q`: part of the username or display name, or the id; `role`: host,
    distributor, admin, or viewer (none of those); `status`: active or banned; `cursor`: the id
    of the last row seen."""
    where: list[str] = []
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    text = (q or "").strip()
    if text:
        pattern = arg(f"%{escape_like(text.lower())}%")
        clause = f"lower(u.username) LIKE {pattern} OR lower(u.display_name) LIKE {pattern}"
        if text.isdigit() and len(text) <= 9:
            clause += f" OR u.id = {arg(int(text))}"
        where.append(f"({clause})")
    if role == "viewer":
        where.append("cardinality(u.roles) = 0")
    elif role:
        where.append(f"{arg(role)} = ANY(u.roles)")
    if status == "banned":
        where.append(BANNED_NOW)
    elif status == "active":
        where.append(f"NOT ({BANNED_NOW})")
    if cursor is not None:
        where.append(f"u.id < {arg(cursor)}")
    sql = _ROW + (" WHERE " + " AND ".join(where) if where else "")
    sql += f" ORDER BY u.id DESC LIMIT {arg(limit + 1)}"
    async with db.connection() as conn:
        rows = await conn.fetch(sql, *args)
    items = [user_row(row) for row in rows[:limit]]
    return UserPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


async def row_of(conn: Connection, user_id: int, *, lock: bool = False) -> Record:
    if lock:
        # The user's row first (the counts are read after, without locking what they count).
        await conn.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", user_id)
    row = await conn.fetchrow(_ROW + " WHERE u.id = $1", user_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"user {user_id} not found")
    return row


async def _distributor(conn: Connection, row: Record) -> DistributorStanding | None:
    found = await conn.fetchrow(
        "SELECT code, parent_id FROM distributors WHERE user_id = $1", row["id"]
    )
    if found is None:
        return None
    return DistributorStanding(
        code=found["code"],
        parent_id=found["parent_id"],
        active="distributor" in (row["roles"] or []),
        suspended="distributor" in (row["suspended_roles"] or []),
    )


async def _host(conn: Connection, row: Record) -> HostStanding | None:
    if "host" not in (row["roles"] or []) and not row["rooms"]:
        return None
    live = await conn.fetchval(
        "SELECT count(*) FROM live_sessions s JOIN rooms r ON r.id = s.room_id"
        " WHERE r.host_id = $1 AND s.status = 'live'",
        row["id"],
    )
    return HostStanding(
        rooms=row["rooms"], live_now=live, suspended="host" in (row["suspended_roles"] or [])
    )


async def detail(user_id: int) -> UserDetail:
    async with db.connection() as conn:
        row = await row_of(conn, user_id)
        recent = await conn.fetchval(
            "SELECT count(*) FROM orders WHERE buyer_id = $1"
            " AND created_at > now() - interval '30 days'",
            user_id,
        )
        history = await audit.entries(conn, target_kind="user", target_id=user_id, limit=100)
        distributor = await _distributor(conn, row)
        host = await _host(conn, row)
    return UserDetail(
        user=user_row(row),
        banned_at=row["banned_at"],
        distributor=distributor,
        host=host,
        orders_last_30_days=recent,
        applications=await accounts.my_applications(user_id),
        history=history,
    )
