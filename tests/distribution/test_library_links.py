"""A distributor's links with what each brought (clicks, buyers bound through it, paid orders
and their amount), and the buyers bound to them now, names masked."""

from __future__ import annotations

import httpx

from livecommerce.infra import db
from tests.distribution.helpers import chain, share, visit
from tests.support import create_product, create_room, pay_through_sandbox, place_order


async def test_links_count_clicks_bound_buyers_and_paid_orders_and_buyers_are_listed(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    ((dist, _),) = await chain(client, user_factory, ["dist"])
    product = await create_product(client, host, title="Jasmine", price=4_500, stock=20)
    room = await create_room(client, host, title="Jasmine live")
    tea_link = await share(client, dist, product["id"])
    room_link = (
        await client.post("/api/share-links", json={"roomId": room["id"]}, headers=dist.headers)
    ).json()

    buyer = await user_factory("zhang")
    looker = await user_factory("li")
    await visit(client, tea_link["code"], buyer)
    await visit(client, tea_link["code"], looker)
    await visit(client, tea_link["code"])  # a guest: a click, no binding yet
    await visit(client, room_link["code"], looker)  # first touch: li stays bound by the tea link
    for quantity in (2, 1):
        placed = await place_order(client, buyer, product["skus"][0]["id"], quantity)
        assert placed.status_code == 201, placed.text
        await pay_through_sandbox(client, buyer, placed.json()["id"])
    await place_order(client, looker, product["skus"][0]["id"], 1)  # never paid

    links = (await client.get("/api/distributors/me/links", headers=dist.headers)).json()
    assert [
        (i["code"], i["title"], i["clicks"], i["boundBuyers"], i["orders"], i["sales"])
        for i in links["items"]
    ] == [
        (room_link["code"], "Jasmine live", 1, 0, 0, 0),
        (tea_link["code"], "Jasmine", 3, 2, 2, 13_500),
    ]
    assert links["items"][1]["url"].endswith(f"/s/{tea_link['code']}")
    page = (await client.get("/api/distributors/me/links?limit=1", headers=dist.headers)).json()
    rest = (
        await client.get(
            f"/api/distributors/me/links?limit=1&cursor={page['nextCursor']}",
            headers=dist.headers,
        )
    ).json()
    assert [i["code"] for i in page["items"] + rest["items"]] == [
        room_link["code"],
        tea_link["code"],
    ]

    buyers = (await client.get("/api/distributors/me/buyers", headers=dist.headers)).json()
    assert buyers["count"] == 2
    assert [(b["name"], b["source"], b["orders"]) for b in buyers["items"]] == [
        ("L**", "click", 0),
        ("Z**", "click", 2),
    ]
    assert all(b["boundAt"] and b["expiresAt"] for b in buyers["items"])

    # A buyer whose latest binding has expired is no bound buyer any more (the history is
    # append-only: the expired one is a newer row).
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO referral_bindings"
            " (buyer_id, distributor_id, source, mode, created_at, expires_at)"
            " VALUES ($1, $2, 'click', 'first_touch', now(), now() - interval '1 minute')",
            looker.id,
            dist.id,
        )
    buyers = (await client.get("/api/distributors/me/buyers", headers=dist.headers)).json()
    assert (buyers["count"], [b["name"] for b in buyers["items"]]) == (1, ["Z**"])
