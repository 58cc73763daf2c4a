from __future__ import annotations

import asyncio
from functools import partial

import httpx

from livecommerce.infra import db
from tests.promotions.support import make_users, storm
from tests.support import ADDRESS, TestUser, create_product, place_order, problem_code


async def test_last_unit_is_sold_once_to_a_thousand_buyers(
    client: httpx.AsyncClient, app, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    product = await create_product(client, host, stock=1)
    sku_id = product["skus"][0]["id"]
    buyers = await make_users(app, "buyer", 1000)

    # All at once over 200 connections (spread over small clients: one pool of 200 with 1,000
    # queued costs httpx more than the server).
    async def order(buyer: TestUser, http: httpx.AsyncClient) -> httpx.Response:
        return await place_order(http, buyer, sku_id)

    responses = await storm(str(client.base_url), [partial(order, b) for b in buyers], 200)
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, {s: statuses.count(s) for s in set(statuses)}
    assert statuses.count(409) == 999
    assert {problem_code(r) for r in responses if r.status_code == 409} == {"out_of_stock"}
    async with db.connection() as conn:
        sku = await conn.fetchrow("SELECT stock, sold FROM skus WHERE id = $1", sku_id)
        orders = await conn.fetchval("SELECT count(*) FROM orders")
    assert (sku["stock"], sku["sold"], orders) == (0, 1, 1)


async def test_twenty_concurrent_replays_of_one_key_make_one_order(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, stock=100))["skus"][0]["id"]
    responses = await asyncio.gather(
        *(place_order(client, buyer, sku_id, 2, key="key-1") for _ in range(20))
    )
    assert [r.status_code for r in responses] == [201] * 20
    assert len({r.json()["id"] for r in responses}) == 1
    assert len({r.content for r in responses}) == 1  # the very same body replayed
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 19
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 1
        assert await conn.fetchval("SELECT stock FROM skus WHERE id = $1", sku_id) == 98


async def test_the_same_key_with_another_body_is_422_and_no_key_is_400(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host))["skus"][0]["id"]
    assert (await place_order(client, buyer, sku_id, 1, key="k")).status_code == 201
    other = await place_order(client, buyer, sku_id, 2, key="k")
    assert (other.status_code, problem_code(other)) == (422, "idempotency_key_reused")
    missing = await client.post(
        "/api/orders", json={"items": [{"skuId": sku_id, "quantity": 1}]}, headers=buyer.headers
    )
    assert (missing.status_code, problem_code(missing)) == (400, "idempotency_key_required")
    # keys belong to their user: another buyer may use "k" for their own order
    someone = await user_factory("someone")
    assert (await place_order(client, someone, sku_id, 2, key="k")).status_code == 201


async def test_a_failed_order_does_not_burn_its_key(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    product = await create_product(client, host, stock=1)
    sku_id = product["skus"][0]["id"]
    refused = await place_order(client, buyer, sku_id, 5, key="retry-me")
    assert (refused.status_code, problem_code(refused)) == (409, "out_of_stock")
    assert refused.json()["left"] == 1
    assert (await place_order(client, buyer, sku_id, 1, key="retry-me")).status_code == 201


async def test_prices_are_snapshotted_and_items_of_one_host_only(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    other_host = await user_factory("other", ["host"])
    buyer = await user_factory("buyer")
    product = await create_product(client, host, price=1999)
    sku_id = product["skus"][0]["id"]
    order = (await place_order(client, buyer, sku_id, 3)).json()
    assert (order["totalAmount"], order["payAmount"], order["status"]) == (
        5997,
        5997,
        "pending_payment",
    )
    await client.patch(
        f"/api/products/{product['id']}",
        json={"skus": [{"id": sku_id, "price": 1}]},
        headers=host.headers,
    )
    again = await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)
    assert again.json()["items"][0]["unitPrice"] == 1999
    foreign_sku = (await create_product(client, other_host))["skus"][0]["id"]
    mixed = await client.post(
        "/api/orders",
        json={
            "items": [{"skuId": sku_id, "quantity": 1}, {"skuId": foreign_sku, "quantity": 1}],
            "address": ADDRESS,
        },
        headers={**buyer.headers, "Idempotency-Key": "mixed"},
    )
    assert (mixed.status_code, problem_code(mixed)) == (400, "mixed_hosts")


async def test_off_shelf_and_unknown_skus_are_not_for_sale(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    hidden = await create_product(client, host, on_shelf=False)
    for sku_id in (hidden["skus"][0]["id"], 987654):
        response = await place_order(client, buyer, sku_id)
        assert (response.status_code, problem_code(response)) == (409, "product_unavailable")


async def test_someone_elses_order_is_404(client: httpx.AsyncClient, user_factory) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    stranger = await user_factory("stranger")
    order = (
        await place_order(client, buyer, (await create_product(client, host))["skus"][0]["id"])
    ).json()
    assert (
        await client.get(f"/api/orders/{order['id']}", headers=stranger.headers)
    ).status_code == 404
    assert (await client.get(f"/api/orders/{order['id']}", headers=host.headers)).status_code == 200
    mine = await client.get("/api/me/orders", headers=buyer.headers)
    assert [o["id"] for o in mine.json()["items"]] == [order["id"]]
    assert (await client.get("/api/me/orders", headers=stranger.headers)).json()["items"] == []
