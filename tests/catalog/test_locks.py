"""The last resort behind the lock order: a transaction PostgreSQL kills as a deadlock victim is
run once more, and a second loss is 503 `busy`, never a 500."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from asyncpg.exceptions import DeadlockDetectedError

from livecommerce.domains.catalog.locks import retried_once
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode
from tests.support import create_product


async def test_a_real_deadlock_victim_is_run_again_and_both_transactions_commit(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    first = (await create_product(client, host, stock=10))["skus"][0]["id"]
    second = (await create_product(client, host, stock=10))["skus"][0]["id"]
    both_hold_one = asyncio.Barrier(2)
    attempts: list[str] = []

    def crosswise(name: str, ids: tuple[int, int]):
        async def run() -> str:
            attempts.append(name)
            async with db.transaction() as tx:
                await tx.conn.execute("UPDATE skus SET stock = stock - 1 WHERE id = $1", ids[0])
                if attempts.count(name) == 1:  # the first attempts wait for each other
                    await both_hold_one.wait()
                await tx.conn.execute("UPDATE skus SET stock = stock - 1 WHERE id = $1", ids[1])
            return name

        return run

    done = await asyncio.gather(
        retried_once(crosswise("a", (first, second)), what="a"),
        retried_once(crosswise("b", (second, first)), what="b"),
    )
    assert sorted(done) == ["a", "b"]
    assert len(attempts) == 3  # PostgreSQL killed one; it ran once more
    async with db.connection() as conn:
        stocks = await conn.fetch(
            "SELECT stock FROM skus WHERE id = ANY($1::int[])", [first, second]
        )
    assert [row["stock"] for row in stocks] == [8, 8]


async def test_a_second_loss_is_answered_busy() -> None:
    calls = 0

    async def always_a_victim() -> None:
        nonlocal calls
        calls += 1
        raise DeadlockDetectedError("deadlock detected")

    with pytest.raises(DomainError) as refused:
        await retried_once(always_a_victim, what="editing product 1")
    assert (refused.value.code, refused.value.status, calls) == (ErrorCode.BUSY, 503, 2)
