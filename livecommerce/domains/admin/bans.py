"""Platform bans by an operator: the account is shut out everywhere at once.

One transaction writes the ban on `users` and its audit row (user.ban / user.unban). Only once
it has committed: the Redis mirror is written (infra/bans.py), so the user's next request on any
process finds every token refused, and the platform event goes out on which every api process
closes the user's room sockets (ban_listener.py). Login answers 403 `banned` while it holds.

An unban lets the user log in again; tokens issued before the ban stay dead.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from livecommerce.domains.admin.schemas import BanOut, BanUser, UnbanUser
from livecommerce.domains.admin.users import row_of, user_row
from livecommerce.infra import audit, bans, db
from livecommerce.infra import redis as redis_infra
from livecommerce.infra.auth import Actor
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode


def _state(row: Any) -> dict[str, Any]:
    ban = bans.from_row(row)
    if ban is None or not ban.active():
        return {"status": "active"}
    until = row["banned_until"]
    return {"status": "banned", "until": until.isoformat() if until else None}


async def _after_commit(redis: Any, token_ttl: int, user_id: int, row: Any) -> None:
    ban = bans.from_row(row)
    if ban is None:
        return
    await bans.mirror(redis, user_id, ban, token_ttl)
    if ban.active():
        await redis_infra.publish(redis, bans.CHANNEL, json.dumps({"userId": user_id}))


async def ban(redis: Any, token_ttl: int, actor: Actor, user_id: int, data: BanUser) -> BanOut:
    if user_id == actor.id:
        raise DomainError(ErrorCode.CANNOT_BAN_SELF, detail="you can't ban yourself")
    if data.until is not None:
        if data.until.tzinfo is None:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, detail="until needs a time zone", field="until"
            )
        if data.until <= datetime.now(UTC):
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, detail="until must be in the future", field="until"
            )
    reason = data.reason.strip()
    async with db.transaction() as tx:
        conn = tx.conn
        before = await row_of(conn, user_id, lock=True)
        if "admin" in (before["roles"] or []):
            raise DomainError(
                ErrorCode.CANNOT_BAN_ADMIN, detail="an operator can't ban another operator"
            )
        if _state(before)["status"] == "banned":
            raise DomainError(ErrorCode.ALREADY_BANNED, detail=f"user {user_id} is banned already")
        await conn.execute(
            "UPDATE users SET banned_at = now(), banned_until = $2, ban_changed_at = now()"
            " WHERE id = $1",
            user_id,
            data.until,
        )
        return await _settled(tx, redis, token_ttl, actor, "user.ban", before, reason)


async def _settled(
    tx: Tx, redis: Any, token_ttl: int, actor: Actor, action: str, before: Any, reason: str
) -> BanOut:
    """The user's row after the change: audited in the change's transaction, and once it has
    committed, mirrored to Redis and told to every api process (sockets closed)."""
    user_id = before["id"]
    after = await row_of(tx.conn, user_id)
    audit_id = await audit.record(
        tx.conn,
        actor.id,
        action,
        "user",
        user_id,
        before=_state(before),
        after=_state(after),
        reason=reason,
    )

    async def effects() -> None:
        await _after_commit(redis, token_ttl, user_id, after)

    tx.after_commit(effects)
    return BanOut(user=user_row(after), audit_id=audit_id)


async def unban(redis: Any, token_ttl: int, actor: Actor, user_id: int, data: UnbanUser) -> BanOut:
    reason = data.reason.strip()
    async with db.transaction() as tx:
        conn = tx.conn
        before = await row_of(conn, user_id, lock=True)
        if _state(before)["status"] != "banned":
            raise DomainError(ErrorCode.NOT_BANNED, detail=f"user {user_id} is not banned")
        await conn.execute(
            "UPDATE users SET banned_until = now(), ban_changed_at = now() WHERE id = $1",
            user_id,
        )
        return await _settled(tx, redis, token_ttl, actor, "user.unban", before, reason)
