"""The host's order desk over real HTTP: filters and counts, bulk shipping where each order
succeeds or fails on its own, the CSV export, the feed of new paid orders, and another host
seeing none of it."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from livecommerce.infra import db
from tests.support import (
    TestUser,
    create_product,
    live_room_with_product,
    pay_through_sandbox,
    place_order,
    problem_code,
)

ADDRESS = {"name": "王小明", "phone": "13800138000", "line": "上海市徐汇区漕溪北路 88 号"}


async def _order(
    client: httpx.AsyncClient, buyer: TestUser, sku_id: int, *, paid: bool = True, **extra: Any
) -> int:
    placed = await place_order(client, buyer, sku_id, address=ADDRESS, **extra)
    assert placed.status_code == 201, placed.text
    order_id = int(placed.json()["id"])
    if paid:
        await pay_through_sandbox(client, buyer, order_id)
    return order_id


async def _desk(client: httpx.AsyncClient, host: TestUser, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/host/desk/orders", params=params, headers=host.headers)
    assert response.status_code == 200, response.text
    return response.json()


def _ids(page: dict[str, Any]) -> list[int]:
    return [item["order"]["id"] for item in page["items"]]


async def test_the_desk_filters_by_tab_session_days_and_search_with_counts_and_cursors(
    client: httpx.AsyncClient, user_factory, settings
) -> None:
    host = await user_factory("deskhost", ["host"])
    alice = await user_factory("alice")
    bob = await user_factory("bob")
    room, item = await live_room_with_product(client, host, stock=50)
    sku_id = item["skus"][0]["id"]
    unpaid = await _order(client, bob, sku_id, paid=False)
    to_ship = await _order(client, alice, sku_id)
    in_room = await _order(client, bob, sku_id, roomId=room["id"])
    shipped = await _order(client, alice, sku_id)
    ship = await client.post(
        f"/api/orders/{shipped}/ship",
        json={"trackingNo": "SF100", "carrier": "SF"},
        headers=host.headers,
    )
    assert ship.status_code == 200, ship.text

    everything = await _desk(client, host)
    assert _ids(everything) == [shipped, in_room, to_ship, unpaid]
    assert everything["counts"] == {
        "pending_payment": 1,
        "to_ship": 2,
        "shipped": 1,
        "after_sales": 0,
        "completed": 0,
        "closed": 0,
        "all": 4,
    }
    first = everything["items"][-1]
    assert first["buyerName"] == "Bob" and first["address"] == ADDRESS
    assert _ids(await _desk(client, host, tab="to_ship")) == [in_room, to_ship]
    assert _ids(await _desk(client, host, tab="pending_payment")) == [unpaid]
    assert _ids(await _desk(client, host, tab="shipped")) == [shipped]

    async with db.connection() as conn:
        session_id = await conn.fetchval("SELECT session_id FROM orders WHERE id = $1", in_room)
    assert session_id is not None
    by_session = await _desk(client, host, sessionId=session_id)
    assert _ids(by_session) == [in_room] and by_session["counts"]["all"] == 1
    sessions = (await client.get("/api/host/desk/sessions", headers=host.headers)).json()
    assert [(s["sessionId"], s["roomId"], s["orders"]) for s in sessions] == [
        (session_id, room["id"], 1)
    ]

    assert _ids(await _desk(client, host, q="alice")) == [shipped, to_ship]
    assert _ids(await _desk(client, host, q=f"#{unpaid}")) == [unpaid]
    assert _ids(await _desk(client, host, q="SF10")) == [shipped]  # the tracking number
    assert _ids(await _desk(client, host, q="100%")) == []  # % is a character, not a wildcard
    filtered = await _desk(client, host, q="bob", tab="to_ship")
    assert _ids(filtered) == [in_room] and filtered["counts"]["pending_payment"] == 1

    today = datetime.now(ZoneInfo(settings.business_timezone)).date()
    assert len(_ids(await _desk(client, host, **{"from": str(today), "to": str(today)}))) == 4
    tomorrow = str(today + timedelta(days=1))
    assert _ids(await _desk(client, host, **{"from": tomorrow})) == []
    assert _ids(await _desk(client, host, to=str(today - timedelta(days=1)))) == []
    backwards = await client.get(
        "/api/host/desk/orders",
        params={"from": tomorrow, "to": str(today)},
        headers=host.headers,
    )
    assert (backwards.status_code, problem_code(backwards)) == (400, "validation_error")

    page_one = await _desk(client, host, limit=3)
    assert _ids(page_one) == [shipped, in_room, to_ship] and page_one["nextCursor"] == to_ship
    page_two = await _desk(client, host, limit=3, cursor=page_one["nextCursor"])
    assert _ids(page_two) == [unpaid] and page_two["nextCursor"] is None

    viewer = await client.get("/api/host/desk/orders", headers=alice.headers)
    assert (viewer.status_code, problem_code(viewer)) == (403, "forbidden")


async def test_bulk_shipping_ships_each_order_on_its_own_and_says_which_failed(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("bulkhost", ["host"])
    other = await user_factory("otherhost", ["host"])
    buyer = await user_factory("buyer")
    sku = (await create_product(client, host, stock=20))["skus"][0]["id"]
    other_sku = (await create_product(client, other, stock=20))["skus"][0]["id"]
    first, second = await _order(client, buyer, sku), await _order(client, buyer, sku)
    not_mine = await _order(client, buyer, other_sku)
    unpaid = await _order(client, buyer, sku, paid=False)

    lines = [
        {"orderId": first, "carrier": "SF", "trackingNo": "SF1001"},
        {"orderId": not_mine, "carrier": "ZTO", "trackingNo": "ZTO1"},
        {"orderId": second, "carrier": "JD", "trackingNo": "JDVA0002"},
        {"orderId": unpaid, "carrier": "EMS", "trackingNo": "E1"},
    ]
    response = await client.post(
        "/api/host/desk/ship", json={"orders": lines}, headers=host.headers
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["shipped"], out["failed"]) == (2, 2)
    assert [(r["orderId"], r["ok"], r["code"]) for r in out["results"]] == [
        (first, True, None),
        (not_mine, False, "not_found"),
        (second, True, None),
        (unpaid, False, "illegal_transition"),
    ]
    assert out["results"][0]["order"]["status"] == "shipped"

    # The buyer sees the carrier and the waybill; the other host's order was not touched.
    seen = (await client.get(f"/api/orders/{second}", headers=buyer.headers)).json()
    assert (seen["status"], seen["carrier"], seen["trackingNo"]) == ("shipped", "JD", "JDVA0002")
    async with db.connection() as conn:
        states = dict(
            await conn.fetch(
                "SELECT id, status FROM orders WHERE id = ANY($1::int[])", [not_mine, unpaid]
            )
        )
    assert states == {not_mine: "paid", unpaid: "pending_payment"}

    # Nothing shipped at all: the first failure's problem, with every result in it.
    again = await client.post(
        "/api/host/desk/ship", json={"orders": lines[:2]}, headers=host.headers
    )
    assert (again.status_code, problem_code(again)) == (409, "illegal_transition")
    assert [r["code"] for r in again.json()["results"]] == ["illegal_transition", "not_found"]
    bad = await client.post(
        "/api/host/desk/ship",
        json={"orders": [{"orderId": first, "carrier": "DHL", "trackingNo": "X1"}]},
        headers=host.headers,
    )
    assert bad.status_code == 400
    spaced = await client.post(
        f"/api/orders/{not_mine}/ship",
        json={"trackingNo": "ZTO 1", "carrier": "ZTO"},
        headers=other.headers,
    )
    assert (spaced.status_code, problem_code(spaced)) == (400, "validation_error")


async def test_another_host_can_not_see_ship_or_export_this_hosts_orders(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("ownerhost", ["host"])
    other = await user_factory("nosyhost", ["host"])
    buyer = await user_factory("buyer")
    sku = (await create_product(client, host))["skus"][0]["id"]
    order_id = await _order(client, buyer, sku)

    assert (await client.get(f"/api/orders/{order_id}", headers=other.headers)).status_code == 404
    ship = await client.post(
        f"/api/orders/{order_id}/ship",
        json={"trackingNo": "SF1", "carrier": "SF"},
        headers=other.headers,
    )
    assert (ship.status_code, problem_code(ship)) == (404, "not_found")
    bulk = await client.post(
        "/api/host/desk/ship",
        json={"orders": [{"orderId": order_id, "carrier": "SF", "trackingNo": "SF1"}]},
        headers=other.headers,
    )
    assert (bulk.status_code, problem_code(bulk)) == (404, "not_found")
    assert _ids(await _desk(client, other)) == []
    assert _ids(await _desk(client, other, q=str(order_id))) == []
    exported = await client.get("/api/host/desk/orders/export", headers=other.headers)
    assert exported.status_code == 200
    assert len(list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))) == 1
    feed = await client.get(
        "/api/host/desk/paid",
        params={"since": "2000-01-01T00:00:00Z"},
        headers=other.headers,
    )
    assert feed.json()["items"] == []
    for path in ("/api/host/desk/orders/export", "/api/host/desk/paid"):
        assert (await client.get(path, headers=buyer.headers)).status_code == 403
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT status FROM orders WHERE id = $1", order_id) == "paid"


async def test_the_csv_export_has_the_filtered_rows_a_bom_and_no_formulas(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("csvhost", ["host"])
    buyer = await user_factory("csvbuyer")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE users SET display_name = '=HYPERLINK(\"x\")' WHERE id = $1", buyer.id
        )
    sku = (await create_product(client, host, price=1234, title="龙井茶"))["skus"][0]["id"]
    paid = await _order(client, buyer, sku, note="请尽快发货")
    unpaid = await _order(client, buyer, sku, paid=False)
    await client.post(
        f"/api/orders/{paid}/ship",
        json={"trackingNo": "SF778899", "carrier": "SF"},
        headers=host.headers,
    )

    response = await client.get("/api/host/desk/orders/export", headers=host.headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, *body = rows
    assert header[:4] == ["订单号", "状态", "下单时间", "付款时间"]
    assert [row[0] for row in body] == [str(unpaid), str(paid)]  # newest first
    shipped = dict(zip(header, body[1], strict=True))
    assert shipped["状态"] == "待收货" and shipped["快递公司"] == "顺丰速运"
    assert shipped["快递单号"] == "SF778899" and shipped["实付(元)"] == "12.34"
    assert shipped["收货人"] == "王小明" and shipped["电话"] == "13800138000"
    assert shipped["商品"] == "龙井茶 default ×1" and shipped["买家留言"] == "请尽快发货"
    assert shipped["买家"] == '\'=HYPERLINK("x")'  # a name is never a formula

    only_to_pay = await client.get(
        "/api/host/desk/orders/export",
        params={"tab": "pending_payment", "lang": "en"},
        headers=host.headers,
    )
    rows = list(csv.reader(io.StringIO(only_to_pay.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Order", "Status"]
    assert [(row[0], row[1]) for row in rows[1:]] == [(str(unpaid), "To pay")]


async def test_new_paid_orders_reach_the_desk_through_the_since_cursor(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("feedhost", ["host"])
    buyer = await user_factory("feedbuyer")
    sku = (await create_product(client, host, stock=10))["skus"][0]["id"]
    first = await client.get("/api/host/desk/paid", headers=host.headers)
    assert first.status_code == 200 and first.json()["items"] == []
    cursor = first.json()["cursor"]
    unpaid = await _order(client, buyer, sku, paid=False)
    assert (
        await client.get("/api/host/desk/paid", params={"since": cursor}, headers=host.headers)
    ).json()["items"] == []
    await pay_through_sandbox(client, buyer, unpaid)
    polled = (
        await client.get("/api/host/desk/paid", params={"since": cursor}, headers=host.headers)
    ).json()
    assert [item["order"]["id"] for item in polled["items"]] == [unpaid]
    assert polled["items"][0]["address"]["name"] == "王小明"
    # Shipped, it is no longer news.
    await client.post(
        f"/api/orders/{unpaid}/ship",
        json={"trackingNo": "YT1", "carrier": "YTO"},
        headers=host.headers,
    )
    assert (
        await client.get("/api/host/desk/paid", params={"since": cursor}, headers=host.headers)
    ).json()["items"] == []
