"""The operator's distribution settings: one JSON document in `operator_settings`, read in the
transaction that uses it, changed under a row lock, every change audited (who, when, before,
after)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from asyncpg import Connection

from livecommerce.domains.distribution.rules import DistributionConfig, validate
from livecommerce.infra import audit, db
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.schema import Out
from livecommerce.settings import Settings

KEY = "distribution"


def _decode(raw: Any, env: Settings | None) -> DistributionConfig:
    stored = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else dict(raw or {})
    config = msgspec.convert(stored, DistributionConfig)
    if config.signup is None and env is not None:
        config = msgspec.structs.replace(config, signup=env.distributor_signup)
    return config


async def load(conn: Connection, env: Settings | None = None) -> DistributionConfig:
    """The settings in force (defaults where never set); `signup` from the environment if unset."""
    raw = await conn.fetchval("SELECT value FROM operator_settings WHERE key = $1", KEY)
    return _decode(raw, env)


async def current(env: Settings) -> DistributionConfig:
    async with db.connection() as conn:
        return await load(conn, env)


async def update(env: Settings, actor_id: int, changes: dict[str, Any]) -> DistributionConfig:
    """Apply `changes` (camelCase fields; the others keep their value), validate the whole,
    audit it."""
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute(
            "INSERT INTO operator_settings (key, value, updated_at) VALUES ($1, '{}', now())"
            " ON CONFLICT (key) DO NOTHING",
            KEY,
        )
        # The row lock orders concurrent edits: each audit row's `before` is the previous one's
        # `after`.
        raw = await conn.fetchval(
            "SELECT value FROM operator_settings WHERE key = $1 FOR UPDATE", KEY
        )
        before = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else dict(raw or {})
        in_force = msgspec.to_builtins(_decode(raw, None))
        merged = {**in_force, **changes}
        try:
            config = validate(
                msgspec.convert(merged, DistributionConfig), platform_fee_bp=env.platform_fee_bp
            )
        except msgspec.ValidationError as exc:
            raise DomainError(ErrorCode.INVALID_SETTINGS, detail=str(exc)) from None
        after = msgspec.to_builtins(config)
        await conn.execute(
            "UPDATE operator_settings SET value = $2, updated_at = now(), updated_by_id = $3"
            " WHERE key = $1",
            KEY,
            msgspec.json.encode(after).decode(),
            actor_id,
        )
        await conn.execute(
            "INSERT INTO settings_audit (key, actor_id, before, after, created_at)"
            " VALUES ($1, $2, $3, $4, now())",
            KEY,
            actor_id,
            msgspec.json.encode(before).decode(),
            msgspec.json.encode(after).decode(),
        )
        # The operator audit names only what changed (a PUT that changes nothing is no action).
        changed = sorted(name for name in after if in_force.get(name) != after[name])
        if changed:
            await audit.record(
                conn,
                actor_id,
                "settings.update",
                "settings",
                None,
                before={name: in_force.get(name) for name in changed},
                after={name: after[name] for name in changed},
            )
    return (
        config
        if config.signup is not None
        else msgspec.structs.replace(config, signup=env.distributor_signup)
    )


class AuditOut(Out):
    id: int
    key: str
    actor_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any]
    created_at: datetime


async def audit_log(limit: int) -> list[AuditOut]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id, key, actor_id, before, after, created_at FROM settings_audit"
            " ORDER BY id DESC LIMIT $1",
            limit,
        )
    return [
        AuditOut(
            id=row["id"],
            key=row["key"],
            actor_id=row["actor_id"],
            created_at=row["created_at"],
            before=msgspec.json.decode(row["before"]) if row["before"] else None,
            after=msgspec.json.decode(row["after"]),
        )
        for row in rows
    ]
