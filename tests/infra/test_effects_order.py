"""`tx.after_commit` effects: they run after COMMIT in the order registered, none after a
rollback, and one registered too late (after the block exited, when its transaction's effects
have run) still runs, rather than being lost without a word."""

from __future__ import annotations

import asyncio

import pytest

from livecommerce.infra import db


async def test_effects_run_after_commit_in_order_never_after_a_rollback_and_late_ones_still_run(
    migrated,
) -> None:
    ran: list[str] = []

    def note(name: str):
        async def effect() -> None:
            ran.append(name)

        return effect

    async with db.transaction() as tx:
        tx.after_commit(note("first"))
        tx.after_commit(note("second"))
        assert ran == []  # nothing before COMMIT
    assert ran == ["first", "second"]

    with pytest.raises(RuntimeError):
        async with db.transaction() as rolled_back:
            rolled_back.after_commit(note("rolled back"))
            raise RuntimeError("the transaction fails")
    assert "rolled back" not in ran

    tx.after_commit(note("late"))  # the block has exited: its effects ran
    async with asyncio.timeout(5):
        while "late" not in ran:  # noqa: ASYNC110 - the late effect runs as a task of its own
            await asyncio.sleep(0.01)
    assert ran == ["first", "second", "late"]
