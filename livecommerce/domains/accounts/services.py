"""Accounts: registration, login, and roles granted by application."""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import UniqueViolationError

from livecommerce.domains.accounts.hooks import AccountHooks
from livecommerce.domains.accounts.schemas import RoleApplicationOut, UserOut
from livecommerce.domains.accounts.tables import RoleApplication, User
from livecommerce.infra import audit, bans, db
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


async def register(
    username: str, password: str, display_name: str | None, *, hooks: AccountHooks
) -> UserOut:
    """Create a viewer's account; `hooks.signed_in` run in the same transaction (a visitor who
    came by a share link is bound with the account, or not at all)."""
    password_hash = await hash_password(password)
    async with db.transaction() as tx:
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
        user = user_out(rows[0])
        for reaction in hooks.signed_in:
            await reaction(tx, user.id, True)
    return user


async def authenticate(username: str, password: str, *, hooks: AccountHooks) -> UserOut:
    """The user of a right username and password (then `hooks.signed_in` run), else 401."""
    global _DUMMY_HASH
    row = await User.select(*User.all_columns()).where(User.username == username.lower()).first()
    if row is None:
        _DUMMY_HASH = _DUMMY_HASH or await hash_password("not-a-real-password")
        await verify_password(password, _DUMMY_HASH)
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, detail="wrong username or password")
    if not await verify_password(password, row["password_hash"]):
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, detail="wrong username or password")
    # After the password: a stranger guessing names learns nothing about who is banned.
    ban = bans.from_row(row)
    if ban is not None and ban.active():
        raise DomainError(
            ErrorCode.BANNED,
            detail="this account is banned from the platform",
            scope="platform",
            until=row["banned_until"].isoformat() if row["banned_until"] else None,
        )
    if hooks.signed_in:
        async with db.transaction() as tx:
            for reaction in hooks.signed_in:
                await reaction(tx, row["id"], False)
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
        decision_reason=row.get("decision_reason") or "",
        username=row.get("username"),
        display_name=row.get("display_name"),
        token=token,
    )


async def grant_role(user_id: int, role: str, *, hooks: AccountHooks) -> list[str]:
    """Add `role` to the user's roles (idempotent) with what goes with it (`hooks`, in the same
    transaction: the distributor role and its profile come together); returns the new roles."""
    async with db.transaction() as tx:
        rows = await User.raw(
            "UPDATE users SET roles = CASE WHEN {} = ANY(roles) THEN roles"
            " ELSE array_append(roles, {}) END,"
            " roles_changed_at = CASE WHEN {} = ANY(roles) THEN roles_changed_at ELSE now() END"
            " WHERE id = {} RETURNING roles",
            role,
            role,
            role,
            user_id,
        )
        if not rows:
            raise DomainError(ErrorCode.NOT_FOUND, detail="no such user")
        for reaction in hooks.role(role).granted:
            await reaction(tx, user_id)
    return sorted(rows[0]["roles"])


async def apply_for_role(
    user_id: int, role: str, note: str, *, hooks: AccountHooks, default_signup: str
) -> tuple[RoleApplicationOut, list[str] | None]:
    """Ask for a role, in the user's own request. Open signup (the role's own setting through
    `hooks`, else `default_signup` from the environment) grants it in the same transaction; else
    it waits for an admin. Whichever endpoint asks, what goes with the role is made here."""
    async with db.transaction() as tx:
        user = await User.select(User.roles).where(User.id == user_id).first()
        if user is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail="no such user")
        if role in (user["roles"] or []):
            raise DomainError(ErrorCode.ALREADY_HAS_ROLE, detail=f"you are already a {role}")
        port = hooks.role(role)
        signup = (await port.signup(tx.conn) if port.signup else None) or default_signup
        status = "approved" if signup == "open" else "pending"
        rows = await RoleApplication.raw(
            "INSERT INTO role_applications (user_id, role, status, note, created_at, decided_at)"
            " VALUES ({}, {}, {}, {}, now(), CASE WHEN {} = 'approved' THEN now() END)"
            " ON CONFLICT (user_id, role) DO UPDATE SET status = EXCLUDED.status,"
            " note = EXCLUDED.note,"
            "  created_at = now(), decided_at = EXCLUDED.decided_at, decided_by_id = NULL,"
            "  decision_reason = ''"
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
        for reaction in port.applied:
            await reaction(tx, user_id)
        roles = await grant_role(user_id, role, hooks=hooks) if status == "approved" else None
    return _application_out(rows[0]), roles


_WITH_USER = (
    "SELECT a.*, u.username, u.display_name FROM role_applications a"
    " JOIN users u ON u.id = a.user_id"
)


async def list_applications(status: str | None) -> list[RoleApplicationOut]:
    if status:
        rows = await RoleApplication.raw(_WITH_USER + " WHERE a.status = {} ORDER BY a.id", status)
    else:
        rows = await RoleApplication.raw(_WITH_USER + " ORDER BY a.id")
    return [_application_out(row) for row in rows]


async def my_applications(user_id: int) -> list[RoleApplicationOut]:
    """The user's own applications, with the operator's reason for a rejection."""
    rows = await RoleApplication.raw(_WITH_USER + " WHERE a.user_id = {} ORDER BY a.id", user_id)
    return [_application_out(row) for row in rows]


async def decide_application(
    application_id: int,
    *,
    approve: bool,
    admin_id: int,
    hooks: AccountHooks,
    reason: str = "",
) -> tuple[RoleApplicationOut, list[str] | None]:
    """Approve or reject a pending application; deciding twice is a 409, never a double grant.
    The decision and its audit row (role_application.approve|reject) commit together."""
    async with db.transaction() as tx:
        rows = await RoleApplication.raw(
            "UPDATE role_applications SET status = {}, decided_at = now(), decided_by_id = {},"
            " decision_reason = {} WHERE id = {} AND status = 'pending' RETURNING *",
            "approved" if approve else "rejected",
            admin_id,
            reason,
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
        await audit.record(
            tx.conn,
            admin_id,
            "role_application.approve" if approve else "role_application.reject",
            "role_application",
            application_id,
            before={"status": "pending", "role": row["role"], "userId": row["user_id"]},
            after={"status": row["status"], "role": row["role"], "userId": row["user_id"]},
            reason=reason,
        )
        roles = await grant_role(row["user_id"], row["role"], hooks=hooks) if approve else None
    return _application_out(row), roles
