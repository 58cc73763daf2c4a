"""A host lists its own coupons and red packets, where each stands and how much went; another
host sees none of them, a viewer may not ask."""

from __future__ import annotations

from typing import Any

import httpx

from livecommerce.infra import db
from tests.promotions.support import create_room, fund, go_live
from tests.promotions.test_coupons import claim, make_coupon
from tests.support import TestUser


async def listed(
    client: httpx.AsyncClient, user: TestUser, what: str, **params: Any
) -> dict[str, Any]:
    response = await client.get(f"/api/host/{what}", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def send(client: httpx.AsyncClient, host: TestUser, room_id: int, **body: Any) -> int:
    response = await client.post(
        f"/api/rooms/{room_id}/red-packets",
        json={"totalAmount": 1_000, "count": 2, **body},
        headers=host.headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def test_a_host_lists_its_own_coupons_by_state_with_their_counts(
    client, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    rival = await user_factory("rival", ["host"])
    fans = [await user_factory(f"fan{i}") for i in range(2)]
    room, other_room = await create_room(host), await create_room(host, "Second room")
    await go_live(room)
    draft = await make_coupon(client, host, room, title="Draft", drop=False)
    live = await make_coupon(client, host, room, title="Live", quota=5)
    sold_out = await make_coupon(client, host, other_room, title="Sold out", quota=1)
    expired = await make_coupon(client, host, room, title="Expired")
    theirs = await make_coupon(client, rival, await create_room(rival), title="Not yours")
    assert (await claim(client, fans[0], live["id"])).status_code == 201
    assert (await claim(client, fans[1], live["id"])).status_code == 201
    await go_live(other_room)
    assert (await claim(client, fans[0], sold_out["id"])).status_code == 201
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE coupons SET valid_to = now() - interval '1 minute', valid_minutes = NULL"
            " WHERE id = $1",
            expired["id"],
        )

    everything = await listed(client, host, "coupons")
    assert [(c["id"], c["state"]) for c in everything["items"]] == [
        (expired["id"], "expired"),
        (sold_out["id"], "sold_out"),
        (live["id"], "live"),
        (draft["id"], "draft"),
    ]
    by_id = {c["id"]: c for c in everything["items"]}
    assert (
        by_id[live["id"]]["quota"],
        by_id[live["id"]]["claimed"],
        by_id[live["id"]]["used"],
    ) == (
        5,
        2,
        0,
    )
    assert by_id[sold_out["id"]]["roomTitle"] == "Second room"
    assert theirs["id"] not in by_id

    for state, wanted in [
        ("draft", [draft["id"]]),
        ("live", [live["id"]]),
        ("sold_out", [sold_out["id"]]),
        ("expired", [expired["id"]]),
    ]:
        assert [
            c["id"] for c in (await listed(client, host, "coupons", status=state))["items"]
        ] == (wanted)
    in_room = await listed(client, host, "coupons", roomId=other_room)
    assert [c["id"] for c in in_room["items"]] == [sold_out["id"]]
    # Pages of two, by cursor.
    first = await listed(client, host, "coupons", limit=2)
    second = await listed(client, host, "coupons", limit=2, cursor=first["nextCursor"])
    assert [c["id"] for c in first["items"] + second["items"]] == [
        c["id"] for c in everything["items"]
    ]
    assert second["nextCursor"] is None
    # Another host gets only its own; a viewer may not ask.
    assert [c["id"] for c in (await listed(client, rival, "coupons"))["items"]] == [theirs["id"]]
    assert (await client.get("/api/host/coupons", headers=fans[0].headers)).status_code == 403
    assert (await client.get("/api/host/coupons")).status_code == 401


async def test_a_host_lists_its_own_red_packets_with_what_was_grabbed(client, user_factory) -> None:
    host = await user_factory("host", ["host"])
    rival = await user_factory("rival", ["host"])
    fans = [await user_factory(f"fan{i}") for i in range(3)]
    await fund(host, 100_000)
    await fund(rival, 100_000)
    room = await create_room(host)
    await go_live(room)
    active = await send(client, host, room, greeting="still open")
    finished = await send(client, host, room, count=1, greeting="all gone")
    expired = await send(client, host, room, greeting="too late")
    theirs = await send(client, rival, await create_room(rival))
    for fan in fans[:1]:
        won = await client.post(f"/api/red-packets/{active}/grab", headers=fan.headers)
        assert won.json()["outcome"] == "won", won.text
    won = await client.post(f"/api/red-packets/{finished}/grab", headers=fans[1].headers)
    assert won.json()["outcome"] == "won", won.text
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE red_packets SET expires_at = now() - interval '1 second' WHERE id = $1",
            expired,
        )

    found = (await listed(client, host, "red-packets"))["items"]
    assert [(p["id"], p["state"], p["claimedCount"], p["count"]) for p in found] == [
        (expired, "expired", 0, 2),
        (finished, "finished", 1, 1),
        (active, "active", 1, 2),
    ]
    assert found[1]["claimedAmount"] == 1_000 and found[2]["claimedAmount"] > 0
    assert [
        p["id"] for p in (await listed(client, host, "red-packets", status="active"))["items"]
    ] == [active]
    assert [
        p["id"] for p in (await listed(client, host, "red-packets", roomId=room, limit=1))["items"]
    ] == [expired]
    assert [p["id"] for p in (await listed(client, rival, "red-packets"))["items"]] == [theirs]
    assert (await client.get("/api/host/red-packets", headers=fans[2].headers)).status_code == 403
