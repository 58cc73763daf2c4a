"""What the buy sheet and the orders page read: how many units are left when a buyer asks for
more, and the orders page's tabs (待付款 / 待发货 / 待收货 / 售后 / 已完成) with their counts."""

from __future__ import annotations

import httpx

from tests.support import create_product, pay_through_sandbox, place_order, problem_code


async def test_asking_for_more_than_is_left_says_how_many_are_available(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, stock=2))["skus"][0]["id"]

    too_many = await place_order(client, buyer, sku_id, quantity=3)
    assert (too_many.status_code, problem_code(too_many)) == (409, "out_of_stock")
    assert too_many.json()["available"] == 2 and too_many.json()["skuId"] == sku_id

    assert (await place_order(client, buyer, sku_id, quantity=2)).status_code == 201
    sold_out = await place_order(client, buyer, sku_id)
    assert (problem_code(sold_out), sold_out.json()["available"]) == ("out_of_stock", 0)


async def _tab(client: httpx.AsyncClient, buyer, tab: str) -> list[int]:
    response = await client.get("/api/me/orders", params={"tab": tab}, headers=buyer.headers)
    assert response.status_code == 200, response.text
    return [order["id"] for order in response.json()["items"]]


async def test_the_orders_tabs_list_what_is_next_and_count_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    other = await user_factory("other")
    sku_id = (await create_product(client, host, stock=50))["skus"][0]["id"]

    async def order() -> int:
        placed = await place_order(client, buyer, sku_id)
        assert placed.status_code == 201, placed.text
        return placed.json()["id"]

    to_pay = await order()
    cancelled = await order()
    await client.post(f"/api/orders/{cancelled}/cancel", json={}, headers=buyer.headers)
    to_ship, to_receive, done, refunding = [await order() for _ in range(4)]
    for paid in (to_ship, to_receive, done, refunding):
        await pay_through_sandbox(client, buyer, paid)
    for shipped in (to_receive, done):
        ship = await client.post(
            f"/api/orders/{shipped}/ship", json={"trackingNo": "SF100"}, headers=host.headers
        )
        assert ship.status_code == 200, ship.text
    await client.post(f"/api/orders/{done}/confirm", headers=buyer.headers)
    asked = await client.post(
        f"/api/orders/{refunding}/refund", json={"reasonCode": "quality"}, headers=buyer.headers
    )
    assert asked.status_code == 200, asked.text
    await place_order(client, other, sku_id)  # someone else's order is in no tab of mine

    assert await _tab(client, buyer, "to_pay") == [to_pay]
    assert await _tab(client, buyer, "to_ship") == [to_ship]
    assert await _tab(client, buyer, "to_receive") == [to_receive]
    assert await _tab(client, buyer, "after_sales") == [refunding]
    assert await _tab(client, buyer, "done") == [done]
    counts = (await client.get("/api/me/orders/counts", headers=buyer.headers)).json()
    assert counts == {
        "toPay": 1,
        "toShip": 1,
        "toReceive": 1,
        "afterSales": 1,
        "done": 1,
        "all": 6,
        "afterSalesOpen": 1,
    }
    # A rejected refund sends the order back where it was: still listed under after-sales.
    refund_id = asked.json()["refund"]["id"]
    rejected = await client.post(
        f"/api/refunds/{refund_id}/reject", json={"reason": "used"}, headers=host.headers
    )
    assert rejected.status_code == 200, rejected.text
    assert await _tab(client, buyer, "to_ship") == [refunding, to_ship]
    assert await _tab(client, buyer, "after_sales") == [refunding]
    counts = (await client.get("/api/me/orders/counts", headers=buyer.headers)).json()
    assert (counts["toShip"], counts["afterSales"], counts["afterSalesOpen"]) == (2, 1, 0)

    unknown = await client.get("/api/me/orders", params={"tab": "nope"}, headers=buyer.headers)
    assert unknown.status_code == 400
    assert (await client.get("/api/me/orders/counts")).status_code == 401


async def test_a_page_of_a_tab_continues_from_its_cursor(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, stock=10))["skus"][0]["id"]
    ids = [(await place_order(client, buyer, sku_id)).json()["id"] for _ in range(3)]
    first = (
        await client.get(
            "/api/me/orders", params={"tab": "to_pay", "limit": 2}, headers=buyer.headers
        )
    ).json()
    assert [o["id"] for o in first["items"]] == ids[:0:-1] and first["nextCursor"] == ids[1]
    rest = (
        await client.get(
            "/api/me/orders",
            params={"tab": "to_pay", "limit": 2, "cursor": first["nextCursor"]},
            headers=buyer.headers,
        )
    ).json()
    assert [o["id"] for o in rest["items"]] == [ids[0]] and rest["nextCursor"] is None
