"""Host staff: accounts a host adds (role `staff`) to look after its members.

A staff member works for exactly one host (host_staff.user_id is unique). Whose members an actor
may see is answered by `host_scope` on every request from the database, not from the token: a
removed staff member loses access at once, even with a token that still says `staff` (the
role is also taken off their account and published, infra/auth.py `publish_roles`).

Other member routes use `member_desk` (the guard) and `provide_host_scope` (the dependency that
yields the host id); any id of another host's member then reads as 404 in their own queries.
"""

from __future__ import annotations

from typing import Any

from asyncpg import Connection
from asyncpg.exceptions import UniqueViolationError
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from livecommerce.domains.accounts import services as accounts
from livecommerce.domains.accounts.hooks import AccountHooks
from livecommerce.domains.members.crm_schemas import AddStaff, StaffOut
from livecommerce.infra import audit, db
from livecommerce.infra.auth import Actor, current_actor
from livecommerce.infra.errors import DomainError, ErrorCode

STAFF_ROLE = "staff"


async def host_of_staff(conn: Connection, user_id: int) -> int | None:
    """The host this user works for as staff, or None."""
    return await conn.fetchval("SELECT host_id FROM host_staff WHERE user_id = $1", user_id)


async def host_scope(conn: Connection, actor: Actor, host_id: int | None = None) -> int | None:
    """The host whose members `actor` may see: a host, itself; staff, the host they work for (if
    still listed in host_staff); an admin, `host_id` when given, else None; anyone else None.

    A user who is both a host and someone's staff acts as the host (their own members)."""
    if actor.is_admin:
        return host_id
    if "host" in actor.roles:
        return actor.id
    if STAFF_ROLE in actor.roles:
        return await host_of_staff(conn, actor.id)
    return None


async def member_desk(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a host, a host's staff or an admin (401 for a guest, 403 for anyone else). Which
    host is `provide_host_scope`'s answer."""
    actor = current_actor(connection)
    if not (actor.is_admin or "host" in actor.roles or STAFF_ROLE in actor.roles):
        raise PermissionDeniedException("this needs the host or staff role")


async def provide_host_scope(request: Request[Any, Any, Any]) -> int:
    """Dependency `host_id`: the host whose members this request may see. An admin names the
    host with the `hostId` query parameter; a staff member no longer listed is refused (403)."""
    actor = current_actor(request)
    given: int | None = None
    if actor.is_admin:
        raw = request.query_params.get("hostId", "")
        given = int(raw) if raw.isdigit() and len(raw) <= 9 else None
    async with db.connection() as conn:
        scope = await host_scope(conn, actor, given)
    if scope is None:
        raise PermissionDeniedException(
            "pass hostId" if actor.is_admin else "you do not work for a host"
        )
    return scope


# -- the host's staff list: add (a new account, or an existing one), list, remove


async def list_staff(host_id: int) -> list[StaffOut]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT s.user_id, u.username, u.display_name, s.created_at AS added_at"
            " FROM host_staff s JOIN users u ON u.id = s.user_id"
            " WHERE s.host_id = $1 ORDER BY s.id",
            host_id,
        )
    return [StaffOut(**dict(r)) for r in rows]


async def add_staff(host_id: int, data: AddStaff) -> tuple[StaffOut, list[str]]:
    """Make the account (with `password`) or take the existing one (without), list it as the
    host's staff and grant it the `staff` role, in one transaction. Returns the staff member
    and their roles now (for the caller to publish, so their tokens get the role)."""
    async with db.transaction() as tx:
        conn = tx.conn
        created = data.password is not None
        if created:
            user = await accounts.register(
                data.username, data.password or "", data.display_name, hooks=AccountHooks()
            )
            user_id = user.id
        else:
            row = await conn.fetchrow(
                "SELECT id, roles FROM users WHERE username = $1 FOR UPDATE",
                data.username.lower(),
            )
            if row is None:
                raise DomainError(ErrorCode.NOT_FOUND, detail=f"no user {data.username!r}")
            user_id = row["id"]
            if user_id == host_id or {"host", "admin"} & set(row["roles"] or []):
                raise DomainError(
                    ErrorCode.CANNOT_BE_STAFF, detail="a host or an admin can't be staff"
                )
        try:
            added = await conn.fetchrow(
                "INSERT INTO host_staff (host_id, user_id, added_by_id) VALUES ($1, $2, $1)"
                " RETURNING created_at",
                host_id,
                user_id,
            )
        except UniqueViolationError:
            raise DomainError(
                ErrorCode.ALREADY_STAFF, detail=f"{data.username!r} is staff of a host already"
            ) from None
        roles = await accounts.grant_role(user_id, STAFF_ROLE, hooks=AccountHooks())
        await audit.record(conn, host_id, "staff.add", "user", user_id, after={"hostId": host_id})
        who = await conn.fetchrow("SELECT username, display_name FROM users WHERE id = $1", user_id)
    return (
        StaffOut(
            user_id=user_id,
            username=who["username"],
            display_name=who["display_name"],
            added_at=added["created_at"],
            created=created,
        ),
        roles,
    )


async def remove_staff(host_id: int, user_id: int) -> list[str]:
    """Take the staff member off the host's list and the `staff` role off their account (404
    when they are not this host's staff). Returns their roles now, to publish."""
    async with db.transaction() as tx:
        conn = tx.conn
        gone = await conn.fetchval(
            "DELETE FROM host_staff WHERE host_id = $1 AND user_id = $2 RETURNING id",
            host_id,
            user_id,
        )
        if gone is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no staff member {user_id}")
        roles = await conn.fetchval(
            "UPDATE users SET roles = array_remove(roles, $2::varchar), roles_changed_at = now()"
            " WHERE id = $1 RETURNING roles",
            user_id,
            STAFF_ROLE,
        )
        await audit.record(
            conn, host_id, "staff.remove", "user", user_id, before={"hostId": host_id}
        )
    return sorted(roles or [])
