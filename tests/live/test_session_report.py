"""The session report: its figures are the counters, its money is the session's orders (top
products, per distributor, the funnel), and only the room's host reads it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from tests.distribution.helpers import chain, commissions_of, share, visit
from tests.live.conftest import joined
from tests.support import (
    TestUser,
    create_product,
    create_room,
    go_live,
    pay_through_sandbox,
    place_order,
)

ADDRESS = {"name": "Li Lei", "phone": "13800138000", "line": "上海市徐汇区漕溪北路 1 号"}


async def buy(
    client: httpx.AsyncClient,
    buyer: TestUser,
    sku_id: int,
    room_id: int,
    quantity: int = 1,
    pay: bool = True,
) -> dict[str, Any]:
    placed = await place_order(client, buyer, sku_id, quantity, roomId=room_id, address=ADDRESS)
    assert placed.status_code == 201, placed.text
    if pay:
        await pay_through_sandbox(client, buyer, placed.json()["id"])
    return placed.json()


async def counters(client: httpx.AsyncClient, host: TestUser, room_id: int) -> dict[str, int]:
    response = await client.get(f"/api/rooms/{room_id}/stats", headers=host.headers)
    assert response.status_code == 200, response.text
    return response.json()["counters"]


async def until(client, host, room_id: int, **wanted: int) -> dict[str, int]:
    async with asyncio.timeout(10):
        # A deliberate poll of the API: the counters live in the server, not in this task.
        while True:
            found = await counters(client, host, room_id)
            if all(found[k] == v for k, v in wanted.items()):
                return found
            await asyncio.sleep(0.1)


async def test_the_report_adds_up_to_the_counters_and_the_orders_of_the_session(
    client, user_factory, room_url
) -> None:
    host = await user_factory("host", ["host"])
    (_, _), (sharer, _) = await chain(client, user_factory, ["root_dist", "kid_dist"])
    via_link, direct, browser = (
        await user_factory("via_link"),
        await user_factory("direct"),
        await user_factory("browser"),
    )
    room = await create_room(client, host, title="Tea tasting")
    tea = await create_product(client, host, price=1000, stock=20, title="Longjing")
    pot = await create_product(client, host, price=2500, stock=20, title="Clay pot")
    shown = await client.put(
        f"/api/rooms/{room['id']}/products",
        json={"productIds": [tea["id"], pot["id"]]},
        headers=host.headers,
    )
    assert shown.status_code == 200, shown.text
    session = await go_live(client, host, room["id"])
    await visit(client, (await share(client, sharer, tea["id"]))["code"], via_link)
    client.cookies.clear()  # the link's referral cookie is via_link's, not every buyer's here

    async with (
        joined(room_url(room["id"]), via_link) as (ws1, _),
        joined(room_url(room["id"]), direct) as (ws2, _),
        joined(room_url(room["id"]), browser) as (ws3, _),
        joined(room_url(room["id"])) as (guest, _),
    ):
        opens = [
            (ws1, tea["id"]),
            (ws2, pot["id"]),
            (ws2, pot["id"]),
            (guest, tea["id"]),
            (ws3, 999_999),  # not in the showcase: not counted
        ]
        for ws, product_id in opens:
            await ws.send(json.dumps({"type": "view_product", "productId": product_id}))
        live = await until(client, host, room["id"], productClicks=4, productVisitors=3)
        assert live["uniqueViewers"] == 4

        first = await buy(client, via_link, tea["skus"][0]["id"], room["id"], quantity=2)
        await buy(client, direct, pot["skus"][0]["id"], room["id"])
        await buy(client, browser, tea["skus"][0]["id"], room["id"], pay=False)
        await until(client, host, room["id"], orders=2, gmv=4500)

    ended = await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)
    assert ended.status_code == 200, ended.text
    figures = ended.json()
    response = await client.get(f"/api/sessions/{session['id']}/report", headers=host.headers)
    assert response.status_code == 200, response.text
    report = response.json()

    # The figures are the session's counters, as the end and the stats endpoint told them.
    assert report["session"] == figures
    after = await counters(client, host, room["id"])
    assert {
        "peak": figures["peakOnline"],
        "uniqueViewers": figures["uniqueViewers"],
        "views": figures["views"],
        "likes": figures["likes"],
        "comments": figures["comments"],
        "orders": figures["orders"],
        "gmv": figures["gmv"],
        "productClicks": figures["productClicks"],
        "productVisitors": figures["productVisitors"],
    } == {k: v for k, v in after.items() if k != "online"}
    assert (figures["orders"], figures["gmv"], figures["uniqueViewers"]) == (2, 4500, 4)
    assert (figures["productClicks"], figures["productVisitors"]) == (4, 3)

    assert report["funnel"] == {
        "viewers": 4,
        "productVisitors": 3,
        "buyers": 3,
        "payers": 2,
        "productClicks": 4,
        "ordersPlaced": 3,
        "ordersPaid": 2,
    }
    assert report["conversionBp"] == 2 * 10_000 // 4
    assert report["averageOrderValue"] == 4500 // 2
    top = [
        (p["productId"], p["paidAmount"], p["orders"], p["quantity"], p["views"])
        for p in report["topProducts"]
    ]
    assert top == [(pot["id"], 2500, 1, 1, 2), (tea["id"], 2000, 1, 2, 2)]
    assert sum(p["paidAmount"] for p in report["topProducts"]) == figures["gmv"]

    earned = sum(amount - back for _, _, amount, back, _ in await commissions_of(first["id"]))
    assert earned > 0
    assert report["byDistributor"] == [
        {
            "distributorId": sharer.id,
            "name": sharer.username.title(),
            "orders": 1,
            "gmv": 2000,
            "commission": earned,
        }
    ]
    assert (report["directOrders"], report["directGmv"]) == (1, 2500)

    series = report["series"]
    assert len(series["t"]) >= 1 and series["t"] == sorted(series["t"])
    assert {len(column) for column in series.values()} == {len(series["t"])}
    assert (series["orders"][-1], series["gmv"][-1]) == (2, 4500)
    assert report["durationSeconds"] >= 0 and report["roomTitle"] == "Tea tasting"


async def test_only_the_rooms_host_reads_a_sessions_report_and_history(
    client, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    other = await user_factory("other", ["host"])
    viewer = await user_factory("viewer")
    admin = await user_factory("admin", ["admin"])
    room = await create_room(client, host)
    session = await go_live(client, host, room["id"])
    for tail in ("report", "series", "orders"):
        path = f"/api/sessions/{session['id']}/{tail}"
        assert (await client.get(path)).status_code == 401
        assert (await client.get(path, headers=viewer.headers)).status_code == 403
        assert (await client.get(path, headers=other.headers)).status_code == 404
        assert (await client.get(path, headers=host.headers)).status_code == 200
        assert (await client.get(path, headers=admin.headers)).status_code == 200
    missing = await client.get("/api/sessions/999999/report", headers=host.headers)
    assert missing.status_code == 404
