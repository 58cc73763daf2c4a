"""Red packets: sending through the ledger, a grab storm, eligibility, Redis lost, a failed
commit."""

from __future__ import annotations

import asyncio
from collections import Counter
from functools import partial
from typing import Any

import httpx
import pytest

from livecommerce.domains.promotions import room_parts
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError
from tests.promotions.support import (
    balance,
    create_room,
    fund,
    join_room,
    make_users,
    red_packet_escrow,
    storm,
)
from tests.support import TestUser, ledger_state, problem_code


async def send(
    client: httpx.AsyncClient, host: TestUser, room_id: int, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/rooms/{room_id}/red-packets",
        json={"totalAmount": 10_000, "count": 100, **body},
        headers=host.headers,
    )


async def grab(client: httpx.AsyncClient, user: TestUser, packet_id: int) -> httpx.Response:
    return await client.post(f"/api/red-packets/{packet_id}/grab", headers=user.headers)


async def host_with_room(user_factory, funds: int = 1_000_000) -> tuple[TestUser, int]:
    host = await user_factory("host", ["host"])
    await fund(host, funds)
    return host, await create_room(host)


async def parts(packet_id: int) -> list[Any]:
    async with db.connection() as conn:
        return list(
            await conn.fetch(
                "SELECT idx, amount, user_id FROM red_packet_parts WHERE packet_id = $1 ORDER BY "
                "idx",
                packet_id,
            )
        )


async def test_ten_thousand_grabs_on_a_hundred_parts_make_a_hundred_winners(
    client: httpx.AsyncClient, app, user_factory
) -> None:
    host, room_id = await host_with_room(user_factory)
    packet = (await send(client, host, room_id, totalAmount=88_888, count=100)).json()
    users = await make_users(app, "viewer", 2000)
    calls = [
        partial(grab, user=users[i % 2000], packet_id=packet["id"]) for i in range(10_000)
    ]  # 5 attempts each
    responses = await storm(str(client.base_url), calls)
    assert Counter(r.status_code for r in responses) == {200: 10_000}
    bodies = [(users[i % 2000].id, r.json()) for i, r in enumerate(responses)]
    first_wins = {uid: b["amount"] for uid, b in bodies if b["outcome"] == "won" and not b["again"]}
    told_won = {uid: b["amount"] for uid, b in bodies if b["outcome"] == "won"}
    assert len(first_wins) == len(told_won) == 100 and sum(first_wins.values()) == 88_888
    assert told_won == first_wins  # a repeat reports the same part
    stored = await parts(packet["id"])
    assert {
        p["user_id"]: p["amount"] for p in stored
    } == told_won  # every win told is a win in PostgreSQL
    assert all(p["amount"] >= 1 for p in stored)
    for uid, amount in list(told_won.items())[:10]:
        assert await balance(uid) == amount
    assert await red_packet_escrow() == 0 and await balance(host) == 1_000_000 - 88_888
    assert (await ledger_state()).problems == []
    shown = (await client.get(f"/api/red-packets/{packet['id']}", headers=host.headers)).json()
    assert (shown["status"], shown["claimedCount"], shown["claimedAmount"]) == (
        "finished",
        100,
        88_888,
    )
    assert shown["bestLuck"]["amount"] == max(told_won.values())


async def test_sending_moves_the_total_into_escrow_and_needs_the_balance(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, room_id = await host_with_room(user_factory, funds=5_000)
    poor = await send(client, host, room_id, totalAmount=5_001, count=10)
    assert (poor.status_code, problem_code(poor)) == (409, "insufficient_balance")
    assert "5000" in poor.json()["detail"]
    too_thin = await send(client, host, room_id, totalAmount=99, count=100)
    assert (too_thin.status_code, problem_code(too_thin)) == (400, "validation_error")
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM red_packets") == 0  # nothing half-written
    sent = await send(
        client, host, room_id, totalAmount=5_000, count=7, split="equal", greeting="恭喜发财"
    )
    assert sent.status_code == 201, sent.text
    assert sorted(p["amount"] for p in await parts(sent.json()["id"])) == [714] * 5 + [715] * 2
    assert await balance(host) == 0 and await red_packet_escrow() == 5_000
    viewer = await user_factory("viewer")
    assert (await send(client, viewer, room_id)).status_code == 403
    other = await user_factory("other", ["host"])
    assert (await send(client, other, room_id)).status_code == 404


async def test_a_repeat_grab_reports_the_same_part_and_best_luck_shows_when_all_are_gone(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, room_id = await host_with_room(user_factory)
    packet = (await send(client, host, room_id, totalAmount=300, count=3)).json()
    viewers = [await user_factory(f"v{i}") for i in range(4)]
    first = (await grab(client, viewers[0], packet["id"])).json()
    again = (await grab(client, viewers[0], packet["id"])).json()
    assert (again["outcome"], again["amount"], again["again"]) == ("won", first["amount"], True)
    assert await balance(viewers[0]) == first["amount"]  # credited once
    shown = (
        await client.get(f"/api/red-packets/{packet['id']}", headers=viewers[0].headers)
    ).json()
    assert (shown["status"], len(shown["claims"]), shown["bestLuck"]) == ("active", 1, None)
    amounts = [first["amount"]] + [
        (await grab(client, v, packet["id"])).json()["amount"] for v in viewers[1:3]
    ]
    late = (await grab(client, viewers[3], packet["id"])).json()
    assert (late["outcome"], late["amount"]) == ("empty", 0)
    shown = (
        await client.get(f"/api/red-packets/{packet['id']}", headers=viewers[0].headers)
    ).json()
    assert shown["status"] == "finished" and [c["amount"] for c in shown["claims"]] == amounts
    best = max(range(3), key=lambda i: (amounts[i], -i))
    assert shown["bestLuck"]["userId"] == viewers[best].id
    assert (await client.get("/api/red-packets/999", headers=host.headers)).status_code == 404
    assert (await grab(client, viewers[0], 999)).status_code == 404


async def test_presence_and_watch_time_decide_who_may_grab(
    client: httpx.AsyncClient, app, user_factory
) -> None:
    host, room_id = await host_with_room(user_factory)
    redis = app.state.redis
    present = (
        await send(client, host, room_id, count=10, totalAmount=1_000, requirePresence=True)
    ).json()
    watched = (
        await send(client, host, room_id, count=10, totalAmount=1_000, minWatchSeconds=120)
    ).json()
    viewer = await user_factory("viewer")
    absent = await grab(client, viewer, present["id"])
    assert (absent.status_code, problem_code(absent)) == (403, "red_packet_not_eligible")
    await join_room(redis, room_id, viewer, seconds_ago=30)
    assert (await grab(client, viewer, present["id"])).json()["outcome"] == "won"
    early = await grab(client, viewer, watched["id"])
    assert (early.status_code, problem_code(early)) == (403, "red_packet_not_eligible")
    assert 85 <= early.json()["waitSeconds"] <= 91
    veteran = await user_factory("veteran")
    await join_room(redis, room_id, veteran, seconds_ago=600)
    assert (await grab(client, veteran, watched["id"])).json()["outcome"] == "won"


async def test_grabs_go_on_from_postgresql_when_redis_is_flushed_midway(
    client: httpx.AsyncClient, app, user_factory
) -> None:
    host, room_id = await host_with_room(user_factory)
    packet = (await send(client, host, room_id, totalAmount=5_000, count=50)).json()
    users = await make_users(app, "viewer", 300)

    async def flusher() -> None:
        for _ in range(8):
            await asyncio.sleep(0.02)
            await app.state.redis.flushdb()

    calls = [partial(grab, user=users[i % 300], packet_id=packet["id"]) for i in range(900)]
    _, responses = await asyncio.gather(
        flusher(), storm(str(client.base_url), calls, concurrency=32)
    )
    assert {r.status_code for r in responses} <= {200, 503}
    told_won = {
        users[i % 300].id: r.json()["amount"]
        for i, r in enumerate(responses)
        if r.status_code == 200 and r.json()["outcome"] == "won"
    }
    stored = await parts(packet["id"])
    assert {p["user_id"]: p["amount"] for p in stored if p["user_id"]} == told_won
    assert len(told_won) == 50 and sum(told_won.values()) == 5_000
    assert (await ledger_state()).problems == []


async def test_a_part_whose_commit_fails_goes_back_to_be_grabbed(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, room_id = await host_with_room(user_factory)
    packet = (await send(client, host, room_id, totalAmount=300, count=3)).json()
    unlucky = await user_factory("unlucky")
    async with (
        db.connection() as conn
    ):  # PostgreSQL refuses this one user's win (a failure inside the commit)
        await conn.execute(
            "CREATE FUNCTION refuse_unlucky() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF NEW.user_id = {unlucky.id} THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; "
            "END $$;"
            " CREATE TRIGGER refuse_unlucky BEFORE UPDATE ON red_packet_parts FOR EACH ROW EXECUTE "
            "FUNCTION refuse_unlucky();"
        )
    try:
        failed = await grab(client, unlucky, packet["id"])
        assert (failed.status_code, problem_code(failed)) == (500, "internal_error")
        others = [await user_factory(f"v{i}") for i in range(3)]
        won = [(await grab(client, v, packet["id"])).json() for v in others]
    finally:
        async with db.connection() as conn:
            await conn.execute(
                "DROP TRIGGER refuse_unlucky ON red_packet_parts; DROP FUNCTION refuse_unlucky();"
            )
    assert [w["outcome"] for w in won] == ["won"] * 3 and sum(w["amount"] for w in won) == 300
    assert await balance(unlucky) == 0


async def test_the_websocket_grab_action_and_the_join_snapshot(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, room_id = await host_with_room(user_factory)
    other_room = await create_room(host, "Another")
    packet = (await send(client, host, room_id, totalAmount=100, count=1)).json()
    await client.post(
        f"/api/rooms/{room_id}/coupons",
        headers=host.headers,
        json={
            "title": "5 off",
            "kind": "amount_off",
            "amountOff": 500,
            "quota": 10,
            "validMinutes": 30,
            "drop": True,
        },
    )
    viewer = await user_factory("viewer")
    actor = Actor(id=viewer.id, username=viewer.username)
    async with db.connection() as conn:
        snapshot = await room_parts.room_promotions(conn, room_id, actor)
    assert [c["amountOff"] for c in snapshot["coupons"]] == [500]
    assert [(p["id"], p["count"]) for p in snapshot["redPackets"]] == [(packet["id"], 1)]
    with pytest.raises(DomainError) as wrong_room:
        await room_parts.grab_action(
            other_room, actor, {"type": "grab", "redPacketId": packet["id"]}
        )
    assert wrong_room.value.status == 404
    result = await room_parts.grab_action(
        room_id, actor, {"type": "grab", "redPacketId": packet["id"]}
    )
    assert result == {"redPacketId": packet["id"], "outcome": "won", "amount": 100, "again": False}
    async with db.connection() as conn:
        assert (await room_parts.room_promotions(conn, room_id, actor))["redPackets"] == []
