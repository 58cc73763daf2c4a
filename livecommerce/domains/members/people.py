"""A host's people: whom its staff may look at.

Its members (a paid order), every buyer of any order with it (the desk links an unpaid order's
buyer too) and everyone its rules tagged (a viewer who looked at its products on several days).
Anyone else, another host's member included, is 404 to the host and its staff: the same answer
as a user who does not exist, so ids reveal nothing.
"""

from __future__ import annotations

from asyncpg import Connection

from livecommerce.infra.errors import DomainError, ErrorCode

# $1 is the host id. One row per person.
PEOPLE = (
    "SELECT user_id FROM members WHERE host_id = $1"
    " UNION SELECT buyer_id FROM orders WHERE host_id = $1"
    " UNION SELECT user_id FROM member_tags WHERE host_id = $1 AND kind = 'rule'"
)


async def visible(conn: Connection, host_id: int, user_id: int) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM members WHERE host_id = $1 AND user_id = $2)"
            " OR EXISTS (SELECT 1 FROM orders WHERE host_id = $1 AND buyer_id = $2)"
            " OR EXISTS (SELECT 1 FROM member_tags WHERE host_id = $1 AND user_id = $2"
            "  AND kind = 'rule')",
            host_id,
            user_id,
        )
    )


async def ensure_visible(conn: Connection, host_id: int, user_id: int) -> None:
    if not await visible(conn, host_id, user_id):
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no member {user_id}")
