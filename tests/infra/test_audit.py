"""The operator audit: written in the action's transaction (gone with it when it rolls back),
read back newest first with filters, and append-only in the database itself."""

from __future__ import annotations

import asyncpg
import pytest

from livecommerce.infra import audit, db


async def test_an_audit_row_commits_or_vanishes_with_its_action_and_cannot_be_changed(
    migrated, user_factory
):
    operator = await user_factory("auditor", ["admin"])
    async with db.transaction() as tx:
        await audit.record(
            tx.conn,
            operator.id,
            "user.ban",
            "user",
            7,
            before={"banned": False},
            after={"banned": True},
            reason="spam",
        )
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await audit.record(tx.conn, operator.id, "withdrawal.approve", "withdrawal", 3)
            raise RuntimeError("the action failed after its audit row was written")
    async with db.connection() as conn:
        await audit.record(conn, operator.id, "withdrawal.reject", "withdrawal", 4, reason="x")
        rows = await audit.entries(conn)
        assert [(r.action, r.target_id) for r in rows] == [
            ("withdrawal.reject", 4),
            ("user.ban", 7),
        ]
        [ban] = await audit.entries(conn, action="user.", target_kind="user")
        assert (ban.actor_name, ban.before, ban.after, ban.reason) == (
            "auditor",
            {"banned": False},
            {"banned": True},
            "spam",
        )
        assert [r.action for r in await audit.entries(conn, before_id=rows[0].id)] == ["user.ban"]
        for sql in (
            "UPDATE operator_actions SET reason = 'nothing happened'",
            "DELETE FROM operator_actions",
        ):
            with pytest.raises(asyncpg.RestrictViolationError):
                await conn.execute(sql)
        assert await conn.fetchval("SELECT count(*) FROM operator_actions") == 2
