from __future__ import annotations

import httpx

from tests.support import create_product, problem_code


async def test_only_hosts_list_products_and_bad_prices_are_refused(
    client: httpx.AsyncClient, user_factory
) -> None:
    viewer = await user_factory("viewer")
    host = await user_factory("host", ["host"])
    body = {"title": "Tea", "skus": [{"name": "100g", "price": 2999, "stock": 5}]}
    refused = await client.post("/api/products", json=body, headers=viewer.headers)
    assert (refused.status_code, problem_code(refused)) == (403, "forbidden")
    for bad in (
        {"name": "x", "price": 0, "stock": 1},
        {"name": "x", "price": 10, "stock": -1},
        {"name": "x", "price": 1.5, "stock": 1},
    ):
        response = await client.post(
            "/api/products", json={"title": "Tea", "skus": [bad]}, headers=host.headers
        )
        assert (response.status_code, problem_code(response)) == (400, "validation_error"), bad
    no_skus = await client.post(
        "/api/products", json={"title": "Tea", "skus": []}, headers=host.headers
    )
    assert no_skus.status_code == 400
    bad_image = await client.post(
        "/api/products", json={**body, "images": ["javascript:alert(1)"]}, headers=host.headers
    )
    assert bad_image.status_code == 400
    created = await client.post(
        "/api/products",
        json={**body, "images": ["https://img.example/tea.jpg"]},
        headers=host.headers,
    )
    assert created.status_code == 201
    assert created.json()["minPrice"] == 2999 and created.json()["hostId"] == host.id


async def test_viewers_see_only_what_is_on_shelf(client: httpx.AsyncClient, user_factory) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    shown = await create_product(client, host, title="Green tea")
    hidden = await create_product(client, host, title="Secret tea", on_shelf=False)
    anonymous = (await client.get("/api/products")).json()
    assert [p["id"] for p in anonymous["items"]] == [shown["id"]]
    asked = (await client.get("/api/products?includeOffShelf=true", headers=viewer.headers)).json()
    assert [p["id"] for p in asked["items"]] == [shown["id"]]
    own = (
        await client.get(
            f"/api/products?includeOffShelf=true&hostId={host.id}", headers=host.headers
        )
    ).json()
    assert [p["id"] for p in own["items"]] == [hidden["id"], shown["id"]]
    assert (await client.get(f"/api/products/{hidden['id']}")).status_code == 404
    assert (
        await client.get(f"/api/products/{hidden['id']}", headers=host.headers)
    ).status_code == 200
    assert [p["title"] for p in (await client.get("/api/products?q=green")).json()["items"]] == [
        "Green tea"
    ]


async def test_pages_follow_the_cursor(client: httpx.AsyncClient, user_factory) -> None:
    host = await user_factory("host", ["host"])
    ids = [(await create_product(client, host, title=f"P{i}"))["id"] for i in range(5)]
    first = (await client.get("/api/products?limit=2")).json()
    second = (await client.get(f"/api/products?limit=2&cursor={first['nextCursor']}")).json()
    third = (await client.get(f"/api/products?limit=2&cursor={second['nextCursor']}")).json()
    assert [p["id"] for p in first["items"] + second["items"] + third["items"]] == ids[::-1]
    assert third["nextCursor"] is None


async def test_a_host_edits_only_its_own_products(client: httpx.AsyncClient, user_factory) -> None:
    host = await user_factory("host", ["host"])
    rival = await user_factory("rival", ["host"])
    product = await create_product(client, host)
    sku_id = product["skus"][0]["id"]
    assert (
        await client.patch(
            f"/api/products/{product['id']}", json={"title": "Mine"}, headers=rival.headers
        )
    ).status_code == 404
    changed = await client.patch(
        f"/api/products/{product['id']}",
        json={
            "onShelf": False,
            "skus": [{"id": sku_id, "stock": 42}, {"name": "big", "price": 5000, "stock": 3}],
        },
        headers=host.headers,
    )
    assert changed.status_code == 200
    assert changed.json()["onShelf"] is False
    assert [(s["name"], s["stock"]) for s in changed.json()["skus"]] == [
        ("default", 42),
        ("big", 3),
    ]
    incomplete = await client.patch(
        f"/api/products/{product['id']}", json={"skus": [{"name": "half"}]}, headers=host.headers
    )
    assert (incomplete.status_code, problem_code(incomplete)) == (400, "validation_error")
    foreign_sku = await client.patch(
        f"/api/products/{product['id']}",
        json={"skus": [{"id": 99999, "stock": 1}]},
        headers=host.headers,
    )
    assert foreign_sku.status_code == 404
