"""A user's standing with the platform, for the domains that must refuse a suspended partner.

An operator may suspend a host (no going live, no new products) or a distributor (no new
commission, no withdrawal); the console (domains/admin/partners.py) sets
`users.suspended_roles`, and the steps that a suspension stops call `ensure_not_suspended` in
their own transaction. The distribution chain reads the same column in its SQL
(distribution/distributors.py `ancestry`)."""

from __future__ import annotations

from asyncpg import Connection

from livecommerce.infra.errors import DomainError, ErrorCode

PARTNER_ROLES = ("host", "distributor")


async def is_suspended(conn: Connection, user_id: int, role: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT $2 = ANY(suspended_roles) FROM users WHERE id = $1", user_id, role
        )
    )


async def ensure_not_suspended(conn: Connection, user_id: int, role: str) -> None:
    """409 `suspended` when an operator has suspended this user's `role`."""
    if await is_suspended(conn, user_id, role):
        raise DomainError(
            ErrorCode.SUSPENDED,
            detail=f"your {role} account is suspended by the platform",
            role=role,
        )
