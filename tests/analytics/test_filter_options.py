"""The analytics page offers the host's own rooms, broadcasts and products by name (and the
distributors who sold for it), never another host's; staff see their host's, viewers none."""

from __future__ import annotations

from tests.distribution.helpers import chain, share, visit
from tests.support import live_room_with_product, pay_through_sandbox, place_order


async def test_the_choices_are_the_hosts_own_by_name(client, user_factory) -> None:
    host, other = await user_factory("host", ["host"]), await user_factory("other", ["host"])
    viewer = await user_factory("viewer")
    room, item = await live_room_with_product(client, host, price=1000, stock=10)
    their_room, their_item = await live_room_with_product(client, other, price=1000, stock=10)

    [(seller, _)] = await chain(client, user_factory, ["seller"])
    buyer = await user_factory("buyer")
    await visit(client, (await share(client, seller, item["id"]))["code"], buyer)
    placed = await place_order(client, buyer, item["skus"][0]["id"], roomId=room["id"])
    await pay_through_sandbox(client, buyer, placed.json()["id"])

    got = await client.get("/api/host/analytics/options", headers=host.headers)
    assert got.status_code == 200, got.text
    body = got.json()
    assert [r["id"] for r in body["rooms"]] == [room["id"]]
    assert body["rooms"][0]["title"] == room["title"]
    assert [s["roomId"] for s in body["sessions"]] == [room["id"]]
    assert body["sessions"][0]["status"] == "live"
    assert [p["id"] for p in body["products"]] == [item["id"]]
    assert [d["id"] for d in body["distributors"]] == [seller.id]

    theirs = (await client.get("/api/host/analytics/options", headers=other.headers)).json()
    assert [r["id"] for r in theirs["rooms"]] == [their_room["id"]]
    assert [p["id"] for p in theirs["products"]] == [their_item["id"]]
    assert theirs["distributors"] == []

    assert (
        await client.get("/api/host/analytics/options", headers=viewer.headers)
    ).status_code == 403
    assert (await client.get("/api/host/analytics/options")).status_code == 401
