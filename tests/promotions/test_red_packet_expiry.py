"""At expiry what is unclaimed goes back to the host exactly once: the job may run twice, late,
next to its sweeper, or after Redis lost the packet. PostgreSQL decides."""

from __future__ import annotations

import asyncio

import httpx

from livecommerce.domains.promotions import jobs
from livecommerce.infra import db
from tests.promotions.support import (
    balance,
    create_room,
    fund,
    red_packet_escrow,
)
from tests.promotions.test_red_packets import grab, send
from tests.support import ledger_state, problem_code


async def expire(packet_id: int) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE red_packets SET expires_at = now() - interval '1 second' WHERE id = $1",
            packet_id,
        )


async def refund_rows(packet_id: int) -> list[int]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT e.amount FROM ledger_transactions t JOIN ledger_entries e ON e.txn_id = t.id "
            "JOIN accounts a ON a.id = e.account_id"
            " WHERE t.business_key = $1 AND a.kind = 'wallet'",
            f"red_packet:{packet_id}:refund",
        )
    return [row["amount"] for row in rows]


async def test_the_unclaimed_rest_is_refunded_once_with_the_job_run_twice_and_redis_flushed(
    client: httpx.AsyncClient, app, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    await fund(host, 10_000)
    room_id = await create_room(host)
    packet = (await send(client, host, room_id, totalAmount=10_000, count=10)).json()
    viewers = [await user_factory(f"v{i}") for i in range(4)]
    claimed = sum([(await grab(client, v, packet["id"])).json()["amount"] for v in viewers])
    ctx: dict = {}
    assert await jobs.refund_red_packet(ctx, packet["id"]) is False  # not due yet
    await expire(packet["id"])
    await app.state.redis.flushdb()
    results = await asyncio.gather(
        jobs.refund_red_packet(ctx, packet["id"]),
        jobs.refund_red_packet(ctx, packet["id"]),
        jobs.sweep_expired_red_packets(ctx),
    )
    assert sorted([int(r) for r in results]) == [0, 0, 1]
    assert await jobs.refund_red_packet(ctx, packet["id"]) is False
    assert await jobs.sweep_expired_red_packets(ctx) == 0
    assert await refund_rows(packet["id"]) == [10_000 - claimed]
    assert await balance(host) == 10_000 - claimed and await red_packet_escrow() == 0
    shown = (await client.get(f"/api/red-packets/{packet['id']}", headers=host.headers)).json()
    assert (shown["status"], shown["refundedAmount"], shown["claimedAmount"]) == (
        "expired",
        10_000 - claimed,
        claimed,
    )
    assert shown["bestLuck"]["amount"] == max(c["amount"] for c in shown["claims"])
    late = await grab(
        client, await user_factory("late"), packet["id"]
    )  # Redis rebuilt from PostgreSQL says: expired
    assert (late.status_code, problem_code(late)) == (409, "red_packet_expired")
    assert (await ledger_state()).problems == []


async def test_grabs_racing_the_refund_never_pay_a_fen_twice(
    client: httpx.AsyncClient, app, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    await fund(host, 50_000)
    room_id = await create_room(host)
    packet = (await send(client, host, room_id, totalAmount=50_000, count=40)).json()
    viewers = [await user_factory(f"v{i}") for i in range(40)]
    # the packet expires in PostgreSQL while Redis still holds parts: the commit refuses the late
    # grabs
    await expire(packet["id"])
    results = await asyncio.gather(
        jobs.refund_red_packet({}, packet["id"]), *(grab(client, v, packet["id"]) for v in viewers)
    )
    assert results[0] is True
    responses = results[1:]
    assert {r.status_code for r in responses} <= {200, 409}
    won = sum(r.json()["amount"] for r in responses if r.status_code == 200)
    assert won == 0  # refused either by Redis's clock or by PostgreSQL's row lock
    assert await refund_rows(packet["id"]) == [50_000]
    assert await balance(host) == 50_000
    assert (await ledger_state()).problems == []


async def test_a_fully_grabbed_packet_refunds_nothing_and_stays_finished(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    await fund(host, 100)
    room_id = await create_room(host)
    packet = (await send(client, host, room_id, totalAmount=100, count=2)).json()
    for name in ("a", "b"):
        await grab(client, await user_factory(name), packet["id"])
    await expire(packet["id"])
    assert await jobs.refund_red_packet({}, packet["id"]) is True
    assert await jobs.refund_red_packet({}, packet["id"]) is False
    assert await refund_rows(packet["id"]) == []
    shown = (await client.get(f"/api/red-packets/{packet['id']}", headers=host.headers)).json()
    assert (shown["status"], shown["refundedAmount"]) == ("finished", 0)
