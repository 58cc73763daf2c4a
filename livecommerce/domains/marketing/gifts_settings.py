"""The operator's tip settings (caps, the platform fee, leaderboards): one JSON document in
`operator_settings` under `tips`, read in the transaction that uses it, changed under its row
lock, and every change an audited operator action naming only the fields it changed."""

from __future__ import annotations

from typing import Any

import msgspec
from asyncpg import Connection

from livecommerce.domains.marketing.gifts_rules import TipSettings
from livecommerce.infra import audit, db
from livecommerce.infra.errors import DomainError, ErrorCode

KEY = "tips"
AUDIT_ACTION = "gift.settings"


def _decode(raw: Any) -> TipSettings:
    stored = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else dict(raw or {})
    return msgspec.convert(stored, TipSettings)


async def load(conn: Connection) -> TipSettings:
    """The settings in force (defaults where never set)."""
    raw = await conn.fetchval("SELECT value FROM operator_settings WHERE key = $1", KEY)
    return _decode(raw)


async def current() -> TipSettings:
    async with db.connection() as conn:
        return await load(conn)


async def update(actor_id: int, changes: dict[str, Any]) -> TipSettings:
    """Apply `changes` (camelCase fields; the others keep their value), check the whole, audit
    what changed."""
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute(
            "INSERT INTO operator_settings (key, value, updated_at) VALUES ($1, '{}', now())"
            " ON CONFLICT (key) DO NOTHING",
            KEY,
        )
        # The row lock orders concurrent edits: each audit row's `before` is the previous `after`.
        raw = await conn.fetchval(
            "SELECT value FROM operator_settings WHERE key = $1 FOR UPDATE", KEY
        )
        in_force = msgspec.to_builtins(_decode(raw))
        try:
            settings = msgspec.convert({**in_force, **changes}, TipSettings)
        except msgspec.ValidationError as exc:
            raise DomainError(ErrorCode.INVALID_SETTINGS, detail=str(exc)) from None
        after = msgspec.to_builtins(settings)
        await conn.execute(
            "UPDATE operator_settings SET value = $2, updated_at = now(), updated_by_id = $3"
            " WHERE key = $1",
            KEY,
            msgspec.json.encode(after).decode(),
            actor_id,
        )
        changed = sorted(name for name in after if in_force.get(name) != after[name])
        if changed:
            await audit.record(
                conn,
                actor_id,
                AUDIT_ACTION,
                "settings",
                None,
                before={name: in_force.get(name) for name in changed},
                after={name: after[name] for name in changed},
            )
    return settings
