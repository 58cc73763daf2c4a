"""piccolo-admin at /admin/tables/: our login only (admins), its API within table_policy.py,
its copy edits audited, its money and state columns out of reach."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from livecommerce.infra import audit, db
from tests.support import TestUser, create_product, pay_through_sandbox, place_order, problem_code

API = "/admin/tables/api/tables"


async def as_operator(client: httpx.AsyncClient, user: TestUser) -> dict[str, str]:
    """Log the client in as the browser is (the lc_token cookie), open the page (which sets
    piccolo-admin's CSRF cookie) and answer the headers its front end sends with a change."""
    client.cookies.set("lc_token", user.token)
    page = await client.get("/admin/tables/")
    assert page.status_code == 200, page.text
    return {"X-CSRFToken": client.cookies["csrftoken"], "Origin": str(client.base_url)}


async def table_audit(target_kind: str) -> list[audit.AuditEntry]:
    async with db.connection() as conn:
        return await audit.entries(conn, action="table.", target_kind=target_kind)


async def test_a_guest_is_sent_to_the_login_and_its_api_calls_are_401(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/admin/tables/")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fadmin%2Ftables%2F"
    # Without the slash its page would load ./assets from /admin/.
    bare = await client.get("/admin/tables")
    assert (bare.status_code, bare.headers["location"]) == (308, "/admin/tables/")
    for path in (f"{API}/products/", "/admin/tables/api/user/", "/admin/tables/public/meta/"):
        response = await client.get(path)
        assert response.status_code == 401, path
        assert problem_code(response) == "not_authenticated"
    login = await client.post(
        "/admin/tables/public/login/", json={"username": "a", "password": "b"}
    )
    assert login.status_code == 401


@pytest.mark.parametrize("roles", [[], ["host"], ["distributor"], ["host", "distributor"]])
async def test_everyone_but_an_admin_is_refused(
    client: httpx.AsyncClient, user_factory, roles: list[str]
) -> None:
    someone = await user_factory("someone", roles)
    for path in ("/admin/tables/", f"{API}/products/", "/admin/tables/assets/x.js"):
        by_token = await client.get(path, headers=someone.headers)
        assert by_token.status_code == 403, path
        assert problem_code(by_token) == "forbidden"
        client.cookies.set("lc_token", someone.token)
        assert (await client.get(path)).status_code == 403, path
        client.cookies.clear()


async def test_an_admin_gets_the_page_offline_and_its_api_lists_products(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    await create_product(client, host, title="Oolong")
    ops = await user_factory("ops", ["admin"])
    client.cookies.set("lc_token", ops.token)

    page = await client.get("/admin/tables/")
    assert page.status_code == 200
    assert '<div id="app"></div>' in page.text and "./assets/" in page.text
    assert "http" not in page.text.split("<body>")[0].replace("http-equiv", "")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "'unsafe-eval'" not in policy
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "csrftoken" in page.headers["set-cookie"]
    script = page.text.split('src="./assets/', 1)[1].split('"', 1)[0]
    bundle = await client.get(f"/admin/tables/assets/{script}")
    assert bundle.status_code == 200 and "javascript" in bundle.headers["content-type"]

    me = await client.get("/admin/tables/api/user/")
    assert me.json() == {"username": "ops", "user_id": str(ops.id)}
    tables = (await client.get(f"{API}/")).json()
    assert {"products", "skus", "rooms", "users", "ledger_entries", "orders"} <= set(tables)
    assert "red_packets" not in tables  # only what table_policy.py names
    rows = (await client.get(f"{API}/products/")).json()["rows"]
    assert [row["title"] for row in rows] == ["Oolong"]
    users = (await client.get(f"{API}/users/")).json()["rows"]
    assert {u["username"] for u in users} == {"host", "ops"}
    assert all("password_hash" not in u for u in users)
    # Its Swagger pages load from a CDN; its OpenAPI documents are not needed either.
    for path in ("/api/docs/", "/public/docs/", "/openapi.json", "/api/openapi.json"):
        assert (await client.get(f"/admin/tables{path}")).status_code == 404, path
    # It shows in the operators' language.
    translations = (await client.get("/admin/tables/public/translations/zh-CN/")).json()
    assert translations["language_code"] == "zh-CN"


async def test_an_admin_changes_a_product_title_and_the_change_is_audited(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    product = await create_product(client, host, title="Oolong")
    ops = await user_factory("ops", ["admin"])
    headers = await as_operator(client, ops)

    # piccolo-admin's own CSRF check still stands in front of its API.
    forged = await client.patch(
        f"{API}/products/{product['id']}/",
        json={"title": "x"},
        headers={"Origin": headers["Origin"]},
    )
    assert forged.status_code == 403
    # So does ours: a change from another site is refused before it.
    foreign = await client.patch(
        f"{API}/products/{product['id']}/",
        json={"title": "x"},
        headers={**headers, "Origin": "https://evil.example"},
    )
    assert problem_code(foreign) == "origin_not_allowed"

    changed = await client.patch(
        f"{API}/products/{product['id']}/", json={"title": "Tieguanyin"}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Tieguanyin"
    shown = await client.get(f"/api/products/{product['id']}")
    assert shown.json()["title"] == "Tieguanyin"

    [entry] = await table_audit("products")
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "table.update",
        ops.id,
        product["id"],
    )
    assert (entry.before, entry.after) == ({"title": "Oolong"}, {"title": "Tieguanyin"})


async def test_the_edit_form_sends_every_column_and_only_the_copy_changes(
    client: httpx.AsyncClient, user_factory
) -> None:
    """piccolo-admin's form PATCHes the whole row, as strings from its inputs: unchanged values
    pass (and are not written), a changed price does not."""
    host = await user_factory("host", ["host"])
    product = await create_product(client, host, title="Oolong", price=1000, stock=5)
    sku_id = product["skus"][0]["id"]
    ops = await user_factory("ops", ["admin"])
    headers = await as_operator(client, ops)

    row: dict[str, Any] = (await client.get(f"{API}/skus/{sku_id}/")).json()
    schema = (await client.get(f"{API}/skus/schema/")).json()
    # Its inputs are named after the schema, which names a foreign key as its rows do.
    assert "product" in schema["properties"] and "product_id" not in schema["properties"]
    form = {}
    for key in schema["properties"]:
        value = row[key]
        form[key] = "" if value is None else str(value) if isinstance(value, int) else value
    unchanged = await client.patch(f"{API}/skus/{sku_id}/", json=form, headers=headers)
    assert unchanged.status_code == 200, unchanged.text
    assert await table_audit("skus") == []  # nothing changed, nothing audited
    renamed = await client.patch(
        f"{API}/skus/{sku_id}/", json={**form, "name": "250 g tin"}, headers=headers
    )
    assert renamed.status_code == 200, renamed.text

    repriced = await client.patch(
        f"{API}/skus/{sku_id}/", json={**form, "name": "500 g", "price": "1"}, headers=headers
    )
    assert repriced.status_code == 403, repriced.text
    sku = (await client.get(f"/api/products/{product['id']}")).json()["skus"][0]
    assert (sku["name"], sku["price"], sku["stock"]) == ("250 g tin", 1000, 5)
    [entry] = await table_audit("skus")
    assert entry.after == {"name": "250 g tin"}

    # Copy is checked by our own API's rules: a title has a length.
    blank = await client.patch(
        f"{API}/products/{product['id']}/", json={"title": ""}, headers=headers
    )
    assert blank.status_code in (400, 422), blank.text
    assert (await client.get(f"/api/products/{product['id']}")).json()["title"] == "Oolong"


async def test_money_stock_state_and_the_ledger_are_out_of_reach(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    product = await create_product(client, host, price=1000, stock=5)
    sku_id = product["skus"][0]["id"]
    order = (await place_order(client, buyer, sku_id)).json()
    await pay_through_sandbox(client, buyer, order["id"])
    async with db.connection() as conn:
        entry_id, txn_id, account_id = await conn.fetchrow(
            "SELECT id, txn_id, account_id FROM ledger_entries ORDER BY id LIMIT 1"
        )
    ops = await user_factory("ops", ["admin"])
    headers = await as_operator(client, ops)

    refused = [
        ("PATCH", f"{API}/skus/{sku_id}/", {"price": 1}),
        ("PATCH", f"{API}/skus/{sku_id}/", {"stock": 999}),
        ("PATCH", f"{API}/skus/{sku_id}/", {"sold": 0, "name": "x"}),
        ("PATCH", f"{API}/products/{product['id']}/", {"on_shelf": False}),
        ("PATCH", f"{API}/products/{product['id']}/", {"host": buyer.id}),
        ("PATCH", f"{API}/users/{buyer.id}/", {"roles": ["admin"]}),
        ("PATCH", f"{API}/orders/{order['id']}/", {"status": "completed"}),
        ("PATCH", f"{API}/ledger_entries/{entry_id}/", {"amount": 1}),
        ("PATCH", f"{API}/ledger_transactions/{txn_id}/", {"kind": "x"}),
        ("PATCH", f"{API}/accounts/{account_id}/", {"balance": 10**9}),
        ("PUT", f"{API}/products/{product['id']}/", {"title": "x"}),
        ("DELETE", f"{API}/ledger_entries/{entry_id}/", None),
        ("DELETE", f"{API}/products/{product['id']}/", None),
        ("DELETE", f"{API}/orders/", None),
        ("POST", f"{API}/products/", {"title": "x", "host": host.id}),
        ("POST", f"{API}/ledger_entries/", {"txn": txn_id, "account": account_id, "amount": 1}),
        ("POST", "/admin/tables/api/change-password/", {"current_password": "x"}),
        ("POST", "/admin/tables/api/media/", {}),
    ]
    for method, path, body in refused:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path, response.text)

    sku = (await client.get(f"/api/products/{product['id']}")).json()["skus"][0]
    assert (sku["price"], sku["stock"], sku["name"]) == (1000, 4, "default")
    assert (await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)).json()[
        "status"
    ] == "paid"
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT amount FROM ledger_entries WHERE id = $1", entry_id)
        assert await conn.fetchval("SELECT roles FROM users WHERE id = $1", buyer.id) == []
    assert await table_audit("skus") == [] and await table_audit("orders") == []


async def test_a_display_name_follows_the_profile_rules(
    client: httpx.AsyncClient, user_factory
) -> None:
    fan = await user_factory("fan")
    ops = await user_factory("ops", ["admin"])
    headers = await as_operator(client, ops)

    reserved = await client.patch(
        f"{API}/users/{fan.id}/", json={"display_name": "管理员"}, headers=headers
    )
    assert reserved.status_code == 422, reserved.text
    renamed = await client.patch(
        f"{API}/users/{fan.id}/", json={"display_name": "  茶 友 "}, headers=headers
    )
    assert renamed.status_code == 200, renamed.text
    assert (await client.get("/api/me", headers=fan.headers)).json()["displayName"] == "茶 友"
    [entry] = await table_audit("users")
    assert (entry.before, entry.after) == ({"display_name": "Fan"}, {"display_name": "茶 友"})


async def test_its_logout_logs_out_of_the_site(client: httpx.AsyncClient, user_factory) -> None:
    ops = await user_factory("ops", ["admin"])
    headers = await as_operator(client, ops)
    out = await client.post("/admin/tables/public/logout/", headers=headers)
    assert out.status_code == 204
    assert 'lc_token=""' in out.headers["set-cookie"] or "lc_token=;" in out.headers["set-cookie"]
    assert (await client.get("/api/me", headers=ops.headers)).status_code == 401
