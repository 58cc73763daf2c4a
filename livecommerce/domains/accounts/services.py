"""Accounts: registration, login, and roles granted by application."""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError

from livecommerce.domains.accounts.schemas import RoleApplicationOut, UserOut
from livecommerce.domains.accounts.tables import RoleApplication, User
from livecommerce.infra.auth import hash_password, verify_password
from livecommerce.infra.errors import DomainError, ErrorCode

# Verified when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH: str | None = None


def user_out(row: dict[str, Any]) -> UserOut:
    return UserOut(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        roles=sorted(row["roles"] or []),
        created_at=row["created_at"],
    )


async def register(username: str, password: str, display_name: str | None) -> UserOut:
    password_hash = await hash_password(password)
    try:
        rows = await User.insert(
            User(
                username=username.lower(),
                display_name=display_name or username,
                password_hash=password_hash,
                roles=[],
            )
        ).returning(*User.all_columns())
    except UniqueViolationError:
        raise DomainError(
            ErrorCode.USERNAME_TAKEN, detail=f"the username {username!r} is taken"
        ) from None
    return user_out(rows[0])


async def authenticate(username: str, password: str) -> UserOut:
    global _DUMMY_HASH
    row = await User.select(*User.all_columns()).where(User.username == username.lower()).first()
    if row is None:
        _DUMMY_HASH = _DUMMY_HASH or await hash_password("not-a-real-password")
        await verify_password(password, _DUMMY_HASH)
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, detail="wrong username or password")
    if not await verify_password(password, row["password_hash"]):
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, detail="wrong username or password")
    return user_out(row)


async def get_user(user_id: int) -> UserOut:
    row = await User.select(*User.all_columns()).where(User.id == user_id).first()
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail="no such user")
    return user_out(row)


def _application_out(row: dict[str, Any], token: str | None = None) -> RoleApplicationOut:
    return RoleApplicationOut(
        id=row["id"],
        user_id=row["user_id"],
        role=row["role"],
        status=row["status"],
        note=row["note"],
        created_at=row["created_at"],
        decided_at=row["decided_at"],
        token=token,
    )


async def grant_role(user_id: int, role: str) -> list[str]:
    """Add `role` to the user's roles (idempotent); returns the new roles."""
    rows = await User.raw(
        "UPDATE users SET roles = CASE WHEN {} = ANY(roles) THEN roles"
        " ELSE array_append(roles, {}) END,"
        " roles_changed_at = now() WHERE id = {} RETURNING roles",
        role,
        role,
        user_id,
    )
    if not rows:
        raise DomainError(ErrorCode.NOT_FOUND, detail="no such user")
    return sorted(rows[0]["roles"])


async def apply_for_role(
    user_id: int, role: str, note: str, *, open_signup: bool
) -> tuple[RoleApplicationOut, list[str] | None]:
    """Ask for a role. With open signup it is granted in the same transaction; else it waits for
    an admin."""
    async with User._meta.db.transaction():
        user = await User.select(User.roles).where(User.id == user_id).first()
        if user is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail="no such user")
        if role in (user["roles"] or []):
            raise DomainError(ErrorCode.ALREADY_HAS_ROLE, detail=f"you are already a {role}")
        status = "approved" if open_signup else "pending"
        rows = await RoleApplication.raw(
            "INSERT INTO role_applications (user_id, role, status, note, created_at, decided_at)"
            " VALUES ({}, {}, {}, {}, now(), CASE WHEN {} = 'approved' THEN now() END)"
            " ON CONFLICT (user_id, role) DO UPDATE SET status = EXCLUDED.status,"
            " note = EXCLUDED.note,"
            "  created_at = now(), decided_at = EXCLUDED.decided_at, decided_by_id = NULL"
            "  WHERE role_applications.status = 'rejected'"
            " RETURNING *",
            user_id,
            role,
            status,
            note,
            status,
        )
        if not rows:
            raise DomainError(
                ErrorCode.APPLICATION_PENDING,
                detail=f"your {role} application is waiting for review",
            )
        roles = await grant_role(user_id, role) if open_signup else None
    return _application_out(rows[0]), roles


async def list_applications(status: str | None) -> list[RoleApplicationOut]:
    if status:
        rows = await RoleApplication.raw(
            "SELECT * FROM role_applications WHERE status = {} ORDER BY id", status
        )
    else:
        rows = await RoleApplication.raw("SELECT * FROM role_applications ORDER BY id")
    return [_application_out(row) for row in rows]


async def decide_application(
    application_id: int, *, approve: bool, admin_id: int
) -> tuple[RoleApplicationOut, list[str] | None]:
    """Approve or reject a pending application; deciding twice is a 409, never a double grant."""
    async with RoleApplication._meta.db.transaction():
        rows = await RoleApplication.raw(
            "UPDATE role_applications SET status = {}, decided_at = now(), decided_by_id = {}"
            " WHERE id = {} AND status = 'pending' RETURNING *",
            "approved" if approve else "rejected",
            admin_id,
            application_id,
        )
        if not rows:
            exists = await RoleApplication.exists().where(RoleApplication.id == application_id)
            if not exists:
                raise DomainError(ErrorCode.NOT_FOUND, detail="no such application")
            raise DomainError(
                ErrorCode.ILLEGAL_TRANSITION,
                detail="this application was already decided",
            )
        row = rows[0]
        roles = await grant_role(row["user_id"], row["role"]) if approve else None
    return _application_out(row), roles
