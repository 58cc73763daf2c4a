"""Where an order ships: an entry of the buyer's own book (`addressId`) or an address typed for
it, copied onto the order, so editing or deleting the entry later changes nothing; no address,
both, or someone else's entry are refused before any stock is taken."""

from __future__ import annotations

import httpx

from tests.support import ADDRESS, add_address, create_product, place_order, problem_code


async def _stock(client: httpx.AsyncClient, product_id: int) -> int:
    return (await client.get(f"/api/products/{product_id}")).json()["skus"][0]["stock"]


async def test_an_order_keeps_the_address_it_was_placed_with_after_the_book_changes(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    product = await create_product(client, host)
    entry = await add_address(client, buyer)

    placed = await place_order(client, buyer, product["skus"][0]["id"], addressId=entry["id"])
    assert placed.status_code == 201, placed.text
    order = placed.json()
    expected = {
        "name": "Li Lei",
        "phone": "13800138000",
        "province": "广东省",
        "city": "深圳市",
        "district": "南山区",
        "detail": "科技园路 1 号",
        "line": "广东省 深圳市 南山区 科技园路 1 号",
        "addressId": entry["id"],
    }
    assert order["address"] == expected

    edited = await client.patch(
        f"/api/me/addresses/{entry['id']}",
        json={"name": "Someone Else", "detail": "另一个地方"},
        headers=buyer.headers,
    )
    assert edited.status_code == 200
    again = await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)
    assert again.json()["address"] == expected
    await client.delete(f"/api/me/addresses/{entry['id']}", headers=buyer.headers)
    listed = await client.get("/api/me/orders", headers=buyer.headers)
    assert listed.json()["items"][0]["address"] == expected
    # The host sees where to ship, too.
    hosted = await client.get(f"/api/orders/{order['id']}", headers=host.headers)
    assert hosted.json()["address"] == expected


async def test_someone_elses_address_id_is_404_and_takes_no_stock(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    other = await user_factory("other")
    product = await create_product(client, host, stock=3)
    theirs = await add_address(client, other)

    response = await place_order(client, buyer, product["skus"][0]["id"], addressId=theirs["id"])
    assert (response.status_code, problem_code(response)) == (404, "not_found")
    nothing = await place_order(client, buyer, product["skus"][0]["id"], addressId=2_000_000_000)
    assert (nothing.status_code, problem_code(nothing)) == (404, "not_found")
    assert await _stock(client, product["id"]) == 3
    assert (await client.get("/api/me/orders", headers=buyer.headers)).json()["items"] == []


async def test_an_order_without_an_address_or_with_both_is_refused_before_anything_is_taken(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    product = await create_product(client, host, stock=3)
    sku_id = product["skus"][0]["id"]
    entry = await add_address(client, buyer)

    missing = await place_order(client, buyer, sku_id, address=None)
    assert (missing.status_code, problem_code(missing)) == (422, "address_required")
    both = await place_order(client, buyer, sku_id, addressId=entry["id"], address=ADDRESS)
    assert (both.status_code, problem_code(both)) == (400, "validation_error")
    nowhere = await place_order(
        client, buyer, sku_id, address={"name": "Li", "phone": "13800138000"}
    )
    assert (nowhere.status_code, problem_code(nowhere)) == (400, "validation_error")
    bad_phone = await place_order(client, buyer, sku_id, address={**ADDRESS, "phone": "123"})
    assert (bad_phone.status_code, problem_code(bad_phone)) == (400, "validation_error")
    assert await _stock(client, product["id"]) == 3


async def test_an_address_typed_for_the_order_is_kept_in_the_same_shape(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host))["skus"][0]["id"]

    parts = (await place_order(client, buyer, sku_id, address=ADDRESS)).json()
    assert parts["address"] == {
        **ADDRESS,
        "line": "广东省 深圳市 南山区 科技园路 1 号",
        "addressId": None,
    }
    one_line = await place_order(
        client,
        buyer,
        sku_id,
        address={"name": " Ann ", "phone": "+447911123456", "line": "10 Downing St, London"},
    )
    assert one_line.json()["address"] == {
        "name": "Ann",
        "phone": "+447911123456",
        "line": "10 Downing St, London",
        "province": "",
        "city": "",
        "district": "",
        "detail": "",
        "addressId": None,
    }
    # Nothing was added to the book by an inline address.
    assert (await client.get("/api/me/addresses", headers=buyer.headers)).json()["items"] == []


async def test_a_retry_replays_the_first_answer_even_after_the_entry_is_deleted(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host))["skus"][0]["id"]
    entry = await add_address(client, buyer)
    first = await place_order(client, buyer, sku_id, key="k-addr", addressId=entry["id"])
    await client.delete(f"/api/me/addresses/{entry['id']}", headers=buyer.headers)
    retry = await place_order(client, buyer, sku_id, key="k-addr", addressId=entry["id"])
    assert retry.status_code == 201 and retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.json() == first.json()
