"""The distributor's product library: every host's products on shelf and rooms live or
upcoming, with what each level earns at today's price (the platform's rates, or the product's
own), searchable, by host; and one link per target however often it is asked for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from livecommerce.infra import db
from tests.distribution.helpers import chain, configure
from tests.support import create_product, create_room, go_live, problem_code


async def _library(client: httpx.AsyncClient, user, **params) -> dict:
    response = await client.get("/api/distributors/me/library", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _levels(item: dict) -> list[tuple[int, int, int]]:
    return [(c["level"], c["rateBp"], c["amount"]) for c in item["commissions"]]


async def test_the_library_shows_each_levels_commission_with_overrides_and_every_hosts_goods(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    await configure(client, admin, levels=2, levelRatesBp=[1000, 500])
    tea_host = await user_factory("tea_host", ["host"])
    pot_host = await user_factory("pot_host", ["host"])
    (dist, _), (_recruit, _) = await chain(client, user_factory, ["dist", "recruit"])

    tea = await create_product(client, tea_host, title="Longjing 250 g", price=10_000, stock=3)
    cake = await create_product(client, tea_host, title="Pu'er cake", price=5_000, stock=40)
    hidden = await create_product(client, tea_host, title="Secret blend", on_shelf=False)
    await create_product(client, pot_host, title="Clay pot", price=3_333, stock=0)
    override = await client.put(
        f"/api/products/{cake['id']}/commission-rates",
        json={"ratesBp": [2000, 300]},
        headers=tea_host.headers,
    )
    assert override.status_code == 200, override.text

    live_room = await create_room(client, tea_host, title="Tea tasting live")
    shown = await client.put(
        f"/api/rooms/{live_room['id']}/products",
        json={"productIds": [tea["id"], cake["id"]]},
        headers=tea_host.headers,
    )
    assert shown.status_code == 200, shown.text
    await go_live(client, tea_host, live_room["id"])
    soon = await create_room(client, pot_host, title="Pottery tomorrow")
    scheduled = await client.post(
        f"/api/rooms/{soon['id']}/sessions",
        json={
            "title": "Pottery tomorrow",
            "scheduledAt": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        },
        headers=pot_host.headers,
    )
    assert scheduled.status_code == 201, scheduled.text
    await create_room(client, pot_host, title="Never on air")

    page = await _library(client, dist)
    assert page["levels"] == 2 and page["total"] == 5 and page["nextOffset"] is None
    assert [(i["kind"], i["title"]) for i in page["items"]] == [
        ("room", "Tea tasting live"),
        ("room", "Pottery tomorrow"),
        ("product", "Clay pot"),
        ("product", "Pu'er cake"),
        ("product", "Longjing 250 g"),
    ]
    by_title = {i["title"]: i for i in page["items"]}
    assert hidden["id"] not in {i["id"] for i in page["items"] if i["kind"] == "product"}

    longjing = by_title["Longjing 250 g"]
    assert _levels(longjing) == [(1, 1000, 1000), (2, 500, 500)]
    assert (longjing["myAmount"], longjing["price"], longjing["stock"]) == (1000, 10_000, 3)
    assert (longjing["stockState"], longjing["ratesOverridden"]) == ("low", False)
    assert longjing["hostName"] == "Tea_Host" and longjing["link"] is None

    puer = by_title["Pu'er cake"]
    assert _levels(puer) == [(1, 2000, 1000), (2, 300, 150)]
    assert (puer["ratesOverridden"], puer["stockState"]) == (True, "in_stock")

    clay = by_title["Clay pot"]  # another host's: in the library too, sold out
    assert _levels(clay) == [(1, 1000, 333), (2, 500, 166)]
    assert (clay["stockState"], clay["hostId"]) == ("sold_out", pot_host.id)

    # A room earns what its showcase earns: the best of its products at each level.
    room = by_title["Tea tasting live"]
    assert (room["status"], room["products"]) == ("live", 2)
    assert _levels(room) == [(1, 2000, 1000), (2, 500, 500)]
    upcoming = by_title["Pottery tomorrow"]
    assert upcoming["status"] == "upcoming" and upcoming["startsAt"] is not None
    assert _levels(upcoming) == [(1, 1000, 0), (2, 500, 0)]

    # Search by title, one host's, one kind, and pages.
    assert [i["title"] for i in (await _library(client, dist, q="pu'ER"))["items"]] == [
        "Pu'er cake"
    ]
    assert [i["title"] for i in (await _library(client, dist, q="100%"))["items"]] == []
    mine = await _library(client, dist, hostId=pot_host.id)
    assert [i["title"] for i in mine["items"]] == ["Pottery tomorrow", "Clay pot"]
    rooms = await _library(client, dist, kind="room")
    assert [i["kind"] for i in rooms["items"]] == ["room", "room"]
    first = await _library(client, dist, limit=2)
    second = await _library(client, dist, limit=2, offset=first["nextOffset"])
    assert (first["nextOffset"], second["nextOffset"]) == (2, 4)
    assert [i["title"] for i in second["items"]] == ["Clay pot", "Pu'er cake"]

    # Settings changed later: the library shows what an order placed now would snapshot.
    await configure(client, admin, levels=3, levelRatesBp=[1200, 600, 200])
    again = {i["title"]: i for i in (await _library(client, dist))["items"]}
    assert _levels(again["Longjing 250 g"]) == [(1, 1200, 1200), (2, 600, 600), (3, 200, 200)]
    assert _levels(again["Pu'er cake"]) == [(1, 2000, 1000), (2, 300, 150), (3, 0, 0)]


async def test_copying_a_link_twice_or_at_once_gives_one_link_shown_in_the_library(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    ((dist, _),) = await chain(client, user_factory, ["dist"])
    product = await create_product(client, host, title="Oolong")
    room = await create_room(client, host, title="Oolong live")
    await go_live(client, host, room["id"])

    async def copy(body: dict) -> httpx.Response:
        return await client.post(
            "/api/distributors/me/library/links", json=body, headers=dist.headers
        )

    first = await copy({"productId": product["id"]})
    assert first.status_code == 201, first.text
    again = await copy({"productId": product["id"]})
    assert (again.status_code, again.json()["code"]) == (200, first.json()["code"])
    racing = await asyncio.gather(*(copy({"roomId": room["id"]}) for _ in range(8)))
    assert sorted(r.status_code for r in racing) == [200] * 7 + [201]
    assert len({r.json()["code"] for r in racing}) == 1
    async with db.connection() as conn:
        links = await conn.fetchval(
            "SELECT count(*) FROM share_links WHERE distributor_id = $1", dist.id
        )
    assert links == 2

    shown = {(i["kind"], i["id"]): i["link"] for i in (await _library(client, dist))["items"]}
    assert shown[("product", product["id"])]["code"] == first.json()["code"]
    assert shown[("product", product["id"])]["url"].endswith(f"/s/{first.json()['code']}")
    assert shown[("room", room["id"])]["code"] == racing[0].json()["code"]

    off = await create_product(client, host, title="Gone", on_shelf=False)
    refused = await copy({"productId": off["id"]})
    assert (refused.status_code, problem_code(refused)) == (404, "not_found")
    both = await copy({"productId": product["id"], "roomId": room["id"]})
    assert both.status_code == 400


async def test_only_a_distributor_has_a_library(client: httpx.AsyncClient, user_factory) -> None:
    host = await user_factory("host", ["host"])
    product = await create_product(client, host)
    viewer = await user_factory("viewer")
    guest = await client.get("/api/distributors/me/library")
    assert guest.status_code == 401
    for path, body in (
        ("/api/distributors/me/library", None),
        ("/api/distributors/me/links", None),
        ("/api/distributors/me/buyers", None),
        ("/api/distributors/me/library/links", {"productId": product["id"]}),
    ):
        answer = await (
            client.post(path, json=body, headers=viewer.headers)
            if body
            else client.get(path, headers=viewer.headers)
        )
        assert (answer.status_code, problem_code(answer)) == (409, "not_a_distributor"), path

    # Waiting for review: the library is open, making links is not (as POST /api/share-links).
    admin = await user_factory("admin", ["admin"])
    await configure(client, admin, signup="approval")
    applicant = await user_factory("applicant")
    asked = await client.post("/api/distributors", json={}, headers=applicant.headers)
    assert asked.status_code == 202, asked.text
    assert (await _library(client, applicant))["total"] == 1
    waiting = await client.post(
        "/api/distributors/me/library/links",
        json={"productId": product["id"]},
        headers=applicant.headers,
    )
    assert (waiting.status_code, problem_code(waiting)) == (403, "forbidden")
