"""Rooms, sessions, showcase and pin through the HTTP API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.support import (
    create_product,
    create_room,
    go_live,
    live_room_with_product,
    pay_through_sandbox,
    place_order,
    problem_code,
)


async def test_a_host_schedules_goes_live_and_ends_with_a_report(client, user_factory) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    when = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    scheduled = await client.post(
        f"/api/rooms/{room['id']}/sessions",
        json={"title": "Spring tea", "scheduledAt": when, "hlsUrl": "https://media.example/a.m3u8"},
        headers=host.headers,
    )
    assert scheduled.status_code == 201, scheduled.text
    upcoming = (await client.get("/api/rooms", params={"status": "upcoming"})).json()["items"]
    assert [(r["id"], r["session"]["status"]) for r in upcoming] == [(room["id"], "scheduled")]

    live = await go_live(client, host, room["id"])
    assert (live["id"], live["status"], live["hlsUrl"]) == (
        scheduled.json()["id"],
        "live",
        "https://media.example/a.m3u8",
    )
    listed = (await client.get("/api/rooms", params={"status": "live"})).json()["items"]
    assert [r["id"] for r in listed] == [room["id"]]

    ended = await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert {k: ended.json()[k] for k in ("likes", "orders", "gmv")} == {
        "likes": 0,
        "orders": 0,
        "gmv": 0,
    }
    again = await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)
    assert (again.status_code, problem_code(again)) == (409, "room_not_live")
    history = (await client.get(f"/api/rooms/{room['id']}/sessions")).json()
    assert [s["status"] for s in history] == ["ended"]


async def test_concurrent_starts_make_one_live_session(client, user_factory) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    replies = await asyncio.gather(
        *(client.post(f"/api/rooms/{room['id']}/start", headers=host.headers) for _ in range(8))
    )
    assert sorted(r.status_code for r in replies) == [200] + [409] * 7
    assert {problem_code(r) for r in replies if r.status_code == 409} == {"session_already_live"}


async def test_only_hosts_make_rooms_and_only_their_host_changes_one(client, user_factory) -> None:
    host, other, viewer = (
        await user_factory("host", ["host"]),
        await user_factory("other", ["host"]),
        await user_factory("viewer"),
    )
    refused = await client.post("/api/rooms", json={"title": "mine"}, headers=viewer.headers)
    assert refused.status_code == 403
    room = await create_room(client, host)
    for method, path, body in [
        ("PATCH", "", {"title": "taken"}),
        ("POST", "/start", {}),
        ("PUT", "/products", {"productIds": []}),
        ("POST", "/pin", {"productId": None}),
        ("POST", "/moderation", {"action": "slow_mode", "seconds": 5}),
    ]:
        response = await client.request(
            method, f"/api/rooms/{room['id']}{path}", json=body, headers=other.headers
        )
        assert response.status_code == 404, (path, response.text)
    stats = await client.get(f"/api/rooms/{room['id']}/stats", headers=viewer.headers)
    assert stats.status_code == 404
    bad = await client.post(
        "/api/rooms", json={"title": "x", "hostId": viewer.id}, headers=host.headers
    )
    assert (bad.status_code, problem_code(bad)) == (400, "validation_error")


async def test_the_showcase_holds_the_hosts_own_products_and_the_pin_one_of_them(
    client, user_factory
) -> None:
    host, other = await user_factory("host", ["host"]), await user_factory("other", ["host"])
    room = await create_room(client, host)
    mine = [await create_product(client, host, title=f"Tea {i}") for i in range(3)]
    theirs = await create_product(client, other, title="Not yours")
    foreign = await client.put(
        f"/api/rooms/{room['id']}/products",
        json={"productIds": [mine[0]["id"], theirs["id"]]},
        headers=host.headers,
    )
    assert (foreign.status_code, problem_code(foreign)) == (400, "product_not_yours")
    order = [mine[2]["id"], mine[0]["id"]]
    shown = await client.put(
        f"/api/rooms/{room['id']}/products", json={"productIds": order}, headers=host.headers
    )
    assert [p["id"] for p in shown.json()] == order
    outside = await client.post(
        f"/api/rooms/{room['id']}/pin", json={"productId": mine[1]["id"]}, headers=host.headers
    )
    assert (outside.status_code, problem_code(outside)) == (409, "product_not_in_showcase")
    pinned = await client.post(
        f"/api/rooms/{room['id']}/pin", json={"productId": mine[0]["id"]}, headers=host.headers
    )
    assert pinned.status_code == 200 and pinned.json()["id"] == mine[0]["id"]
    detail = (await client.get(f"/api/rooms/{room['id']}")).json()
    assert (
        detail["pinnedProductId"] == mine[0]["id"]
        and [p["id"] for p in detail["showcase"]] == order
    )
    # Taking the pinned product out of the showcase takes the pin too.
    await client.put(
        f"/api/rooms/{room['id']}/products",
        json={"productIds": [mine[2]["id"]]},
        headers=host.headers,
    )
    assert (await client.get(f"/api/rooms/{room['id']}")).json()["pinnedProductId"] is None


async def test_an_order_in_a_room_is_traced_to_its_live_session(client, user_factory) -> None:
    host, buyer = await user_factory("host", ["host"]), await user_factory("buyer")
    room, item = await live_room_with_product(client, host, price=1500)
    session = (await client.get(f"/api/rooms/{room['id']}")).json()["session"]
    placed = await place_order(
        client, buyer, item["skus"][0]["id"], 2, roomId=room["id"], sessionId=999
    )
    assert placed.status_code == 201, placed.text
    assert (placed.json()["roomId"], placed.json()["sessionId"]) == (room["id"], session["id"])
    await pay_through_sandbox(client, buyer, placed.json()["id"])
    stats = (await client.get(f"/api/rooms/{room['id']}/stats", headers=host.headers)).json()
    assert (stats["counters"]["orders"], stats["counters"]["gmv"]) == (1, 3000)
    ended = (await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)).json()
    assert (ended["orders"], ended["gmv"]) == (1, 3000)


async def test_an_order_cannot_claim_another_hosts_room(client, user_factory) -> None:
    host, other, buyer = (
        await user_factory("host", ["host"]),
        await user_factory("other", ["host"]),
        await user_factory("buyer"),
    )
    room = await create_room(client, other)
    await go_live(client, other, room["id"])
    item = await create_product(client, host)
    placed = await place_order(client, buyer, item["skus"][0]["id"], roomId=room["id"])
    assert (placed.status_code, problem_code(placed)) == (400, "room_mismatch")
    left = (await client.get(f"/api/products/{item['id']}")).json()["skus"][0]["stock"]
    assert left == 10  # the refused order took nothing
