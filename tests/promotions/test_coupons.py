"""Coupons: making, dropping and claiming them, under a claim storm and with Redis lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx

from livecommerce.infra import db
from tests.promotions.support import create_room, end_live, go_live, make_users, storm
from tests.support import TestUser, create_product, problem_code


def coupon_body(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "10 off 100",
        "kind": "amount_off",
        "amountOff": 1_000,
        "minSpend": 10_000,
        "quota": 100,
        "validMinutes": 60,
        "drop": True,
        **overrides,
    }


async def make_coupon(
    client: httpx.AsyncClient, host: TestUser, room_id: int, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/rooms/{room_id}/coupons", json=coupon_body(**overrides), headers=host.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def claim(client: httpx.AsyncClient, user: TestUser, coupon_id: int) -> httpx.Response:
    return await client.post(f"/api/coupons/{coupon_id}/claim", headers=user.headers)


async def issued(coupon_id: int) -> tuple[int, int, int]:
    """(coupons.issued, copies, distinct users) from PostgreSQL."""
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT (SELECT issued FROM coupons WHERE id = $1) AS issued, count(*) AS copies, "
            "count(DISTINCT user_id) AS users"
            " FROM user_coupons WHERE coupon_id = $1",
            coupon_id,
        )
    return row["issued"], row["copies"], row["users"]


async def test_five_thousand_claims_from_a_thousand_users_issue_the_quota_once_per_user(
    client: httpx.AsyncClient, app, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    room_id = await create_room(host)
    coupon = await make_coupon(client, host, room_id, quota=500, perUserLimit=1)
    users = await make_users(app, "viewer", 1000)
    responses = await storm(
        str(client.base_url),
        [partial(claim, user=users[i % 1000], coupon_id=coupon["id"]) for i in range(5000)],
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 500, {s: statuses.count(s) for s in set(statuses)}
    assert statuses.count(409) == 4500
    assert {problem_code(r) for r in responses if r.status_code == 409} <= {
        "coupon_sold_out",
        "coupon_limit_reached",
    }
    winners = [r.json()["couponId"] for r in responses if r.status_code == 201]
    assert winners == [coupon["id"]] * 500
    assert await issued(coupon["id"]) == (500, 500, 500)


async def test_postgresql_keeps_the_quota_when_redis_is_flushed_during_the_storm(
    client: httpx.AsyncClient, app, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    room_id = await create_room(host)
    coupon = await make_coupon(client, host, room_id, quota=50, perUserLimit=2)
    users = await make_users(app, "viewer", 100)
    redis = app.state.redis

    async def flusher() -> None:
        for _ in range(10):
            await asyncio.sleep(0.01)
            await redis.flushdb()

    calls = [partial(claim, user=users[i % 100], coupon_id=coupon["id"]) for i in range(600)]
    _, responses = await asyncio.gather(
        flusher(), storm(str(client.base_url), calls, concurrency=50)
    )
    assert {r.status_code for r in responses} <= {201, 409, 503}
    created = sum(r.status_code == 201 for r in responses)
    total, copies, _ = await issued(coupon["id"])
    assert created == copies == total <= 50
    async with db.connection() as conn:
        assert (
            await conn.fetchval(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM user_coupons WHERE coupon_id = $1 "
                "GROUP BY user_id) t",
                coupon["id"],
            )
            <= 2
        )
    # and once the storm is over the rebuilt gate lets the rest of the quota go, no more
    late = [await claim(client, users[i], coupon["id"]) for i in range(100)]
    assert (await issued(coupon["id"]))[0] == 50
    assert sum(r.status_code == 201 for r in late) == 50 - total


async def test_per_user_and_per_day_limits(client: httpx.AsyncClient, user_factory) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    room_id = await create_room(host)
    coupon = await make_coupon(client, host, room_id, perUserLimit=3, perUserDailyLimit=2)
    answers = [await claim(client, viewer, coupon["id"]) for _ in range(3)]
    assert [r.status_code for r in answers] == [201, 201, 409]
    assert problem_code(answers[2]) == "coupon_daily_limit_reached"
    async with db.connection() as conn:  # yesterday's copies don't count today
        await conn.execute("UPDATE user_coupons SET claim_day = claim_day - 1")
    await drop_redis_gate()
    assert (await claim(client, viewer, coupon["id"])).status_code == 201
    over = await claim(client, viewer, coupon["id"])
    assert (over.status_code, problem_code(over)) == (409, "coupon_limit_reached")


async def drop_redis_gate() -> None:
    """Drop the Redis gate so it is rebuilt from PostgreSQL (after a test edits PostgreSQL behind
    its back)."""
    from redis.asyncio import Redis

    from livecommerce.domains.promotions import live_state

    redis: Redis = live_state.bound()
    await redis.flushdb()


async def test_a_live_only_coupon_is_claimed_only_while_the_room_is_live(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    room_id = await create_room(host)
    coupon = await make_coupon(client, host, room_id, liveOnly=True)
    refused = await claim(client, viewer, coupon["id"])
    assert (refused.status_code, problem_code(refused)) == (409, "room_not_live")
    await go_live(room_id)
    assert (await claim(client, viewer, coupon["id"])).status_code == 201
    await end_live(room_id)
    assert problem_code(await claim(client, viewer, coupon["id"])) in {
        "room_not_live",
        "coupon_limit_reached",
    }


async def test_a_coupon_is_claimable_once_dropped_and_not_after_its_validity(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    room_id = await create_room(host)
    draft = await make_coupon(client, host, room_id, drop=False)
    assert (await claim(client, viewer, draft["id"])).status_code == 404
    assert (
        await client.post(f"/api/coupons/{draft['id']}/drop", headers=viewer.headers)
    ).status_code == 403
    dropped = await client.post(f"/api/coupons/{draft['id']}/drop", headers=host.headers)
    assert dropped.status_code == 200 and dropped.json()["droppedAt"]
    copy = (await claim(client, viewer, draft["id"])).json()
    assert copy["status"] == "available" and copy["coupon"]["amountOff"] == 1_000
    until = datetime.now(UTC) + timedelta(hours=1)
    windowed = await make_coupon(
        client, host, room_id, validMinutes=None, validTo=until.isoformat()
    )
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE coupons SET valid_to = now() - interval '1 second' WHERE id = $1",
            windowed["id"],
        )
    late = await claim(client, viewer, windowed["id"])
    assert (late.status_code, problem_code(late)) == (409, "coupon_expired")
    room = await client.get(f"/api/rooms/{room_id}/coupons")
    assert [c["id"] for c in room.json()] == [draft["id"]]


async def test_coupon_terms_are_checked_and_only_the_host_of_the_room_makes_them(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    other = await user_factory("other", ["host"])
    viewer = await user_factory("viewer")
    room_id = await create_room(host)
    bad = [
        coupon_body(kind="percent_off"),  # amountOff on a percent coupon, no percentOffBp
        coupon_body(validMinutes=None),  # no validity
        coupon_body(validTo=(datetime.now(UTC) - timedelta(days=1)).isoformat(), validMinutes=None),
        coupon_body(quota=0),
        coupon_body(surprise=1),
    ]
    for body in bad:
        response = await client.post(
            f"/api/rooms/{room_id}/coupons", json=body, headers=host.headers
        )
        assert (response.status_code, problem_code(response)) == (400, "validation_error"), body
    assert (
        await client.post(
            f"/api/rooms/{room_id}/coupons", json=coupon_body(), headers=other.headers
        )
    ).status_code == 404
    assert (
        await client.post(
            f"/api/rooms/{room_id}/coupons", json=coupon_body(), headers=viewer.headers
        )
    ).status_code == 403
    foreign = await create_product(client, other)
    scoped = await client.post(
        f"/api/rooms/{room_id}/coupons",
        json=coupon_body(productIds=[foreign["id"]]),
        headers=host.headers,
    )
    assert scoped.status_code == 404
    percent = await make_coupon(
        client,
        host,
        room_id,
        kind="percent_off",
        amountOff=None,
        percentOffBp=1500,
        maxDiscount=2000,
    )
    assert (percent["kind"], percent["percentOffBp"], percent["maxDiscount"]) == (
        "percent_off",
        1500,
        2000,
    )


async def test_my_coupons_lists_what_i_claimed(client: httpx.AsyncClient, user_factory) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    room_id = await create_room(host)
    first = await make_coupon(client, host, room_id)
    second = await make_coupon(
        client,
        host,
        room_id,
        title="15 % off",
        kind="percent_off",
        amountOff=None,
        percentOffBp=1500,
    )
    for coupon in (first, second):
        await claim(client, viewer, coupon["id"])
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE user_coupons SET valid_until = now() WHERE coupon_id = $1", first["id"]
        )
    mine = (await client.get("/api/me/coupons", headers=viewer.headers)).json()
    assert [(c["couponId"], c["status"]) for c in mine["items"]] == [
        (second["id"], "available"),
        (first["id"], "expired"),
    ]
    usable = (await client.get("/api/me/coupons?status=usable", headers=viewer.headers)).json()
    assert [c["couponId"] for c in usable["items"]] == [second["id"]]
    assert (await client.get("/api/me/coupons", headers=host.headers)).json()["items"] == []
