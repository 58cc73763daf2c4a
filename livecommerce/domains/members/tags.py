"""Tags on a host's people: the host's manual tags (a name and a colour, put on by staff) and
the rule tags the worker keeps (tag_jobs.py). A rule tag past its expiry is not shown."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from asyncpg import Connection
from asyncpg.exceptions import UniqueViolationError

from livecommerce.domains.members import people
from livecommerce.domains.members.crm_schemas import (
    MemberTagOut,
    RuleTagCount,
    TagDefIn,
    TagDefOut,
    TagsOut,
)
from livecommerce.domains.members.tag_jobs import config_of
from livecommerce.domains.members.tag_rules import TagRuleConfig
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

MAX_TAG_DEFS = 200  # per host: a palette, not a data store
LIVE = "(t.expires_at IS NULL OR t.expires_at > now())"


def _json(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return loaded if isinstance(loaded, dict) else {}


def manual_code(tag_id: int) -> str:
    return f"manual:{tag_id}"


async def catalogue(host_id: int) -> TagsOut:
    async with db.connection() as conn:
        manual = await conn.fetch(
            "SELECT d.id, d.name, d.colour, count(t.id)::int AS members FROM member_tag_defs d"
            " LEFT JOIN member_tags t ON t.tag_def_id = d.id"
            " WHERE d.host_id = $1 GROUP BY d.id ORDER BY d.name, d.id",
            host_id,
        )
        rules = await conn.fetch(
            "SELECT t.code, count(*)::int AS members FROM member_tags t"
            f" WHERE t.host_id = $1 AND t.kind = 'rule' AND {LIVE}"
            " GROUP BY t.code ORDER BY t.code",
            host_id,
        )
    return TagsOut(
        manual=[TagDefOut(**dict(r)) for r in manual],
        rules=[RuleTagCount(**dict(r)) for r in rules],
    )


async def create_def(host_id: int, actor_id: int, data: TagDefIn) -> TagDefOut:
    async with db.transaction() as tx:
        conn = tx.conn
        # The host's row serialises creators, so the cap holds under concurrent requests.
        await conn.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", host_id)
        count = await conn.fetchval(
            "SELECT count(*) FROM member_tag_defs WHERE host_id = $1", host_id
        )
        if count >= MAX_TAG_DEFS:
            raise DomainError(
                ErrorCode.CONFLICT, detail=f"a host has at most {MAX_TAG_DEFS} manual tags"
            )
        try:
            row = await conn.fetchrow(
                "INSERT INTO member_tag_defs (host_id, name, colour, created_by_id)"
                " VALUES ($1, $2, $3, $4) RETURNING id, name, colour",
                host_id,
                data.name.strip(),
                data.colour.lower(),
                actor_id,
            )
        except UniqueViolationError:
            raise DomainError(
                ErrorCode.TAG_NAME_TAKEN, detail=f"there is a tag named {data.name.strip()!r}"
            ) from None
    return TagDefOut(**dict(row))


async def delete_def(host_id: int, tag_id: int) -> None:
    """Deleting a manual tag takes it off every member (ON DELETE CASCADE)."""
    async with db.transaction() as tx:
        gone = await tx.conn.fetchval(
            "DELETE FROM member_tag_defs WHERE id = $1 AND host_id = $2 RETURNING id",
            tag_id,
            host_id,
        )
    if gone is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no tag {tag_id}")


async def of_member(conn: Connection, host_id: int, user_id: int) -> list[MemberTagOut]:
    rows = await conn.fetch(
        "SELECT t.code, t.kind, t.tag_def_id, t.evidence, t.expires_at, t.computed_at,"
        " coalesce(d.name, '') AS name, coalesce(d.colour, '') AS colour,"
        " a.display_name AS added_by"
        " FROM member_tags t LEFT JOIN member_tag_defs d ON d.id = t.tag_def_id"
        " LEFT JOIN users a ON a.id = t.added_by_id"
        f" WHERE t.host_id = $1 AND t.user_id = $2 AND {LIVE}"
        " ORDER BY t.kind DESC, t.code",
        host_id,
        user_id,
    )
    return [
        MemberTagOut(
            code=r["code"],
            kind=r["kind"],
            name=r["name"],
            colour=r["colour"],
            evidence=_json(r["evidence"]),
            expires_at=r["expires_at"],
            computed_at=r["computed_at"],
            tag_id=r["tag_def_id"],
            added_by=r["added_by"],
        )
        for r in rows
    ]


async def _check_own_tag(conn: Connection, host_id: int, user_id: int, tag_id: int) -> None:
    """One of the host's people and one of the host's manual tags, or 404."""
    await people.ensure_visible(conn, host_id, user_id)
    found = await conn.fetchval(
        "SELECT id FROM member_tag_defs WHERE id = $1 AND host_id = $2", tag_id, host_id
    )
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no tag {tag_id}")


async def add_to_member(
    host_id: int, actor_id: int, user_id: int, tag_id: int
) -> list[MemberTagOut]:
    """Put the host's manual tag on one of its people (again: no change)."""
    async with db.transaction() as tx:
        conn = tx.conn
        await _check_own_tag(conn, host_id, user_id, tag_id)
        await conn.execute(
            "INSERT INTO member_tags (host_id, user_id, kind, code, tag_def_id, added_by_id)"
            " VALUES ($1, $2, 'manual', $3, $4, $5)"
            " ON CONFLICT (host_id, user_id, code) DO NOTHING",
            host_id,
            user_id,
            manual_code(tag_id),
            tag_id,
            actor_id,
        )
        return await of_member(conn, host_id, user_id)


async def remove_from_member(host_id: int, user_id: int, tag_id: int) -> list[MemberTagOut]:
    """Take a manual tag off (not on: no change). Rule tags are the worker's: not removable."""
    async with db.transaction() as tx:
        conn = tx.conn
        await _check_own_tag(conn, host_id, user_id, tag_id)
        await conn.execute(
            "DELETE FROM member_tags WHERE host_id = $1 AND user_id = $2 AND code = $3"
            " AND kind = 'manual'",
            host_id,
            user_id,
            manual_code(tag_id),
        )
        return await of_member(conn, host_id, user_id)


async def rules_of(host_id: int) -> TagRuleConfig:
    async with db.connection() as conn:
        return await config_of(conn, host_id)


async def set_rules(host_id: int, config: TagRuleConfig) -> TagRuleConfig:
    """The host's thresholds; they apply at the next recompute."""
    problems = config.problems()
    if problems:
        raise DomainError(ErrorCode.INVALID_SETTINGS, detail="; ".join(problems))
    async with db.transaction() as tx:
        await tx.conn.execute(
            "INSERT INTO member_tag_rules (host_id, config, updated_at)"
            " VALUES ($1, $2::jsonb, now())"
            " ON CONFLICT (host_id) DO UPDATE SET config = EXCLUDED.config, updated_at = now()",
            host_id,
            msgspec.json.encode(config).decode(),
        )
    return config
