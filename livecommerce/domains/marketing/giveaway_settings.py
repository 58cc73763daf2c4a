"""The operator's giveaway settings (GET|PUT /api/admin/settings/giveaways): the cap on what one
giveaway may give away in all (fen), kept as one JSON document in `operator_settings` under the
key `giveaways`, changed under its row lock, every change audited (`settings.update`)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from asyncpg import Connection
from litestar import Controller, get, put
from litestar.di import Provide

from livecommerce.infra import audit, db
from livecommerce.infra.auth import Actor, provide_actor, requires
from livecommerce.infra.schema import In, Out

KEY = "giveaways"
DEFAULT_CAP = 50_000  # ¥500 per giveaway, all winners together


class GiveawaySettings(Out):
    # The most one giveaway may give away: value per winner x winners (fen).
    prize_value_cap: int = DEFAULT_CAP


class UpdateGiveawaySettings(In, frozen=True):
    prize_value_cap: Annotated[int, msgspec.Meta(ge=1, le=10_000_000_00)]


async def load(conn: Connection) -> GiveawaySettings:
    raw = await conn.fetchval("SELECT value FROM operator_settings WHERE key = $1", KEY)
    stored = msgspec.json.decode(raw) if isinstance(raw, str | bytes) else dict(raw or {})
    return msgspec.convert(stored, GiveawaySettings)


async def update(actor_id: int, data: UpdateGiveawaySettings) -> GiveawaySettings:
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute(
            "INSERT INTO operator_settings (key, value, updated_at) VALUES ($1, '{}', now())"
            " ON CONFLICT (key) DO NOTHING",
            KEY,
        )
        await conn.execute("SELECT 1 FROM operator_settings WHERE key = $1 FOR UPDATE", KEY)
        before: dict[str, Any] = msgspec.to_builtins(await load(conn))
        after = GiveawaySettings(prize_value_cap=data.prize_value_cap)
        encoded: dict[str, Any] = msgspec.to_builtins(after)
        await conn.execute(
            "UPDATE operator_settings SET value = $2, updated_at = now(), updated_by_id = $3"
            " WHERE key = $1",
            KEY,
            msgspec.json.encode(encoded).decode(),
            actor_id,
        )
        changed = sorted(name for name in encoded if before.get(name) != encoded[name])
        if changed:
            await audit.record(
                conn,
                actor_id,
                "settings.update",
                "settings",
                None,
                before={name: before.get(name) for name in changed},
                after={name: encoded[name] for name in changed},
            )
    return after


class GiveawaySettingsController(Controller):
    path = "/api/admin/settings/giveaways"
    tags = ["admin"]
    guards = [requires("admin")]

    @get("/")
    async def show(self) -> GiveawaySettings:
        """The giveaway settings in force (defaults where never set)."""
        async with db.connection() as conn:
            return await load(conn)

    @put("/", dependencies={"actor": Provide(provide_actor)})
    async def change(self, actor: Actor, data: UpdateGiveawaySettings) -> GiveawaySettings:
        """Change the prize value cap (audited); giveaways already running keep theirs."""
        return await update(actor.id, data)
