"""The host's product editor through the API: specs (颜色: 红, 蓝) and a SKU per value, uploaded
pictures reordered and deleted, SKUs changed, added and removed, taken off shelf and back;
and what another host, a viewer or an order sees of it."""

from __future__ import annotations

import httpx

from tests.catalog.test_uploads import picture, upload
from tests.support import TestUser, place_order, problem_code

# Orders ship somewhere: an address typed on the order.
ADDRESS = {"name": "张三", "phone": "13800138000", "line": "上海市静安区南京西路 1 号"}


async def _pictures(client: httpx.AsyncClient, host: TestUser, n: int) -> list[dict]:
    made = []
    for i in range(n):
        response = await upload(client, host, picture(size=(300 + 10 * i, 200)))
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


def _two_colours(images: list[str]) -> dict:
    return {
        "title": "真丝围巾",
        "description": "桑蚕丝，双面可戴。",
        "images": images,
        "specs": [{"name": "颜色", "values": ["红", "蓝"]}],
        "skus": [
            {"specValues": ["红"], "price": 12900, "stock": 5},
            {"specValues": ["蓝"], "price": 13900, "stock": 3}
            | ({"image": images[-1]} if images else {}),
        ],
    }


async def test_a_product_with_two_skus_over_a_spec_is_created_edited_and_taken_off_shelf(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    first, second, third = await _pictures(client, host, 3)
    created = await client.post(
        "/api/products",
        json=_two_colours([first["url"], second["url"]]),
        headers=host.headers,
    )
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["specs"] == [{"name": "颜色", "values": ["红", "蓝"]}]
    red, blue = product["skus"]
    assert (red["name"], red["specValues"], blue["name"]) == ("红", ["红"], "蓝")
    assert product["minPrice"] == 12900
    # Pictures: the first is the cover, every one has its thumbnail; a SKU shows its own or the
    # cover.
    assert product["images"] == [first["url"], second["url"]]
    assert product["thumbs"] == [first["thumbUrl"], second["thumbUrl"]]
    assert (product["imageUrl"], product["thumbUrl"]) == (first["url"], first["thumbUrl"])
    assert (red["image"], red["imageUrl"], red["thumbUrl"]) == (
        None,
        first["url"],
        first["thumbUrl"],
    )
    assert (blue["image"], blue["thumbUrl"]) == (second["url"], second["thumbUrl"])

    # Edit: reorder the pictures, delete one, add a third; add a spec value and its SKU;
    # reprice one; clear the blue SKU's own picture.
    edited = await client.patch(
        f"/api/products/{product['id']}",
        json={
            "title": "真丝围巾（新款）",
            "images": [third["url"], first["url"]],
            "specs": [{"name": "颜色", "values": ["红", "蓝", "黑"]}],
            "skus": [
                {"id": red["id"], "price": 9900},
                {"id": blue["id"], "image": ""},
                {"specValues": ["黑"], "price": 15900, "stock": 2},
            ],
        },
        headers=host.headers,
    )
    assert edited.status_code == 200, edited.text
    after = edited.json()
    assert after["title"] == "真丝围巾（新款）"
    assert after["images"] == [third["url"], first["url"]]
    assert after["thumbUrl"] == third["thumbUrl"]
    assert [(s["name"], s["price"], s["imageUrl"]) for s in after["skus"]] == [
        ("红", 9900, third["url"]),
        ("蓝", 13900, third["url"]),
        ("黑", 15900, third["url"]),
    ]
    # Reordering only.
    reordered = await client.patch(
        f"/api/products/{product['id']}",
        json={"images": [first["url"], third["url"]]},
        headers=host.headers,
    )
    assert reordered.json()["images"] == [first["url"], third["url"]]

    # Off shelf: gone for everyone else, still there for its host; and back.
    off = await client.patch(
        f"/api/products/{product['id']}", json={"onShelf": False}, headers=host.headers
    )
    assert off.json()["onShelf"] is False
    for who in ({}, viewer.headers):
        assert (await client.get(f"/api/products/{product['id']}", headers=who)).status_code == 404
        listed = (await client.get("/api/products", headers=who)).json()["items"]
        assert product["id"] not in [p["id"] for p in listed]
    bought = await place_order(client, viewer, red["id"], address=ADDRESS)
    assert (bought.status_code, problem_code(bought)) == (409, "product_unavailable")
    assert (
        await client.get(f"/api/products/{product['id']}", headers=host.headers)
    ).status_code == 200
    back = await client.patch(
        f"/api/products/{product['id']}", json={"onShelf": True}, headers=host.headers
    )
    assert back.json()["onShelf"] is True
    assert (await client.get(f"/api/products/{product['id']}")).status_code == 200


async def test_an_order_item_keeps_the_picture_it_was_bought_with(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    cover, blue_photo = await _pictures(client, host, 2)
    product = (
        await client.post(
            "/api/products",
            json=_two_colours([cover["url"], blue_photo["url"]]),
            headers=host.headers,
        )
    ).json()
    red, blue = product["skus"]
    order = await client.post(
        "/api/orders",
        json={
            "items": [{"skuId": red["id"], "quantity": 1}, {"skuId": blue["id"], "quantity": 1}],
            "address": ADDRESS,
        },
        headers={**buyer.headers, "Idempotency-Key": "pictures-1"},
    )
    assert order.status_code == 201, order.text
    items = {i["skuId"]: i for i in order.json()["items"]}
    assert (items[red["id"]]["imageUrl"], items[red["id"]]["thumbUrl"]) == (
        cover["url"],
        cover["thumbUrl"],
    )
    assert items[blue["id"]]["imageUrl"] == blue_photo["url"]
    # The host changes the pictures afterwards: the order still shows what was bought.
    await client.patch(
        f"/api/products/{product['id']}", json={"images": [blue_photo["url"]]}, headers=host.headers
    )
    again = await client.get(f"/api/orders/{order.json()['id']}", headers=buyer.headers)
    assert {i["skuId"]: i["imageUrl"] for i in again.json()["items"]}[red["id"]] == cover["url"]


async def test_skus_must_fit_the_specs(client: httpx.AsyncClient, user_factory) -> None:
    host = await user_factory("host", ["host"])
    base = _two_colours([])
    for label, change in (
        ("a value not declared", {"skus": [{"specValues": ["绿"], "price": 100, "stock": 1}]}),
        ("no value", {"skus": [{"name": "x", "price": 100, "stock": 1}]}),
        (
            "the same combination twice",
            {"skus": [{"specValues": ["红"], "price": 1, "stock": 1}] * 2},
        ),
        ("a spec declared twice", {"specs": [{"name": "颜色", "values": ["红"]}] * 2}),
        ("a value listed twice", {"specs": [{"name": "颜色", "values": ["红", "红", "蓝"]}]}),
        ("a SKU with neither name nor values", {"specs": [], "skus": [{"price": 1, "stock": 1}]}),
        ("values without specs", {"specs": []}),
        ("four specs", {"specs": [{"name": f"s{i}", "values": ["a"]} for i in range(4)]}),
        ("a value past 16 characters", {"specs": [{"name": "颜色", "values": ["红" * 17]}]}),
    ):
        response = await client.post("/api/products", json={**base, **change}, headers=host.headers)
        assert (response.status_code, problem_code(response)) == (400, "validation_error"), label

    # Two specs: names derived from the values in order.
    two = await client.post(
        "/api/products",
        json={
            "title": "T恤",
            "specs": [
                {"name": "颜色", "values": ["白", "黑"]},
                {"name": "尺码", "values": ["M", "L"]},
            ],
            "skus": [
                {"specValues": ["白", "M"], "price": 5900, "stock": 10},
                {"specValues": ["黑", "L"], "price": 5900, "stock": 10, "name": "黑色大号"},
            ],
        },
        headers=host.headers,
    )
    assert two.status_code == 201, two.text
    assert [s["name"] for s in two.json()["skus"]] == ["白 / M", "黑色大号"]
    product = two.json()
    # Changing the specs leaves a SKU out of them: refused, and nothing changed.
    dropped = await client.patch(
        f"/api/products/{product['id']}",
        json={
            "specs": [{"name": "颜色", "values": ["白"]}, {"name": "尺码", "values": ["M", "L"]}]
        },
        headers=host.headers,
    )
    assert (dropped.status_code, problem_code(dropped)) == (400, "validation_error")
    unchanged = (await client.get(f"/api/products/{product['id']}")).json()
    assert unchanged["specs"] == product["specs"]
    # New values rename a SKU after them.
    moved = await client.patch(
        f"/api/products/{product['id']}",
        json={"skus": [{"id": product["skus"][0]["id"], "specValues": ["黑", "M"]}]},
        headers=host.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["skus"][0]["name"] == "黑 / M"


async def test_a_sku_never_ordered_is_removed_and_an_ordered_one_stays(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    base = _two_colours([])
    product = (await client.post("/api/products", json=base, headers=host.headers)).json()
    red, blue = product["skus"]
    assert (await place_order(client, buyer, red["id"], address=ADDRESS)).status_code == 201
    kept = await client.patch(
        f"/api/products/{product['id']}",
        json={"skus": [{"id": red["id"], "remove": True}]},
        headers=host.headers,
    )
    assert (kept.status_code, problem_code(kept)) == (409, "sku_has_orders")
    removed = await client.patch(
        f"/api/products/{product['id']}",
        json={
            "specs": [{"name": "颜色", "values": ["红"]}],
            "skus": [{"id": blue["id"], "remove": True}],
        },
        headers=host.headers,
    )
    assert removed.status_code == 200, removed.text
    assert [s["id"] for s in removed.json()["skus"]] == [red["id"]]
    last = await client.patch(
        f"/api/products/{product['id']}",
        json={"skus": [{"id": red["id"], "remove": True}]},
        headers=host.headers,
    )
    assert last.status_code in (400, 409)  # ordered, and the last one


async def test_a_product_shows_only_its_own_hosts_uploads_and_others_cannot_edit_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    rival = await user_factory("rival", ["host"])
    viewer = await user_factory("viewer")
    (mine,) = await _pictures(client, host, 1)
    (theirs,) = await _pictures(client, rival, 1)
    body = _two_colours([mine["url"]])
    for label, images in (
        ("another user's upload", [theirs["url"]]),
        ("a thumbnail", [mine["thumbUrl"]]),
        ("a key nobody stored", ["/media/img/ab/ab000000000000000000000000000000.webp"]),
        ("not a key", ["/media/../secret"]),
    ):
        response = await client.post(
            "/api/products", json={**body, "images": images}, headers=host.headers
        )
        assert (response.status_code, problem_code(response)) == (400, "validation_error"), label
    created = await client.post("/api/products", json=body, headers=host.headers)
    assert created.status_code == 201, created.text
    product = created.json()
    stolen = await client.patch(
        f"/api/products/{product['id']}", json={"images": [theirs["url"]]}, headers=host.headers
    )
    assert stolen.status_code == 400
    for who, status in ((viewer, 403), (rival, 404)):
        for change in ({"title": "Mine now"}, {"onShelf": False}, {"images": []}):
            response = await client.patch(
                f"/api/products/{product['id']}", json=change, headers=who.headers
            )
            assert response.status_code == status, (who.username, change)
    assert (await client.get(f"/api/products/{product['id']}")).json() == product
