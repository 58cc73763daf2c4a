"""Binding modes, expiry, self-referral and the anonymous visitor's cookie, each as set."""

from __future__ import annotations

import httpx

from livecommerce.infra import db
from tests.distribution.helpers import become, bound_to, configure, share, visit
from tests.support import ADDRESS, create_product


async def _setup(client: httpx.AsyncClient, user_factory, **settings):
    admin = await user_factory("admin", ["admin"])
    if settings:
        await configure(client, admin, **settings)
    host = await user_factory("host", ["host"])
    product = await create_product(client, host, stock=50)
    first, second = (
        await user_factory("first", ["distributor"]),
        await user_factory("second", ["distributor"]),
    )
    await become(client, first)
    await become(client, second)
    links = [(await share(client, d, product["id"]))["code"] for d in (first, second)]
    return product, first, second, links


async def _history(buyer_id: int) -> list[tuple[int, str]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT distributor_id, source FROM referral_bindings WHERE buyer_id = $1 ORDER BY id",
            buyer_id,
        )
    return [(r["distributor_id"], r["source"]) for r in rows]


async def test_first_touch_keeps_the_first_distributor(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, first, _second, (code1, code2) = await _setup(
        client, user_factory, bindingMode="first_touch"
    )
    buyer = await user_factory("buyer")
    response = await visit(client, code1, buyer)
    assert response.headers["location"].startswith("/products/")
    await visit(client, code2, buyer)
    assert await bound_to(buyer.id) == first.id
    assert await _history(buyer.id) == [(first.id, "click")]


async def test_last_touch_moves_to_the_latest_and_keeps_the_history(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, first, second, (code1, code2) = await _setup(client, user_factory, bindingMode="last_touch")
    buyer = await user_factory("buyer")
    for code in (code1, code2, code2, code1):
        await visit(client, code, buyer)
    assert await bound_to(buyer.id) == first.id
    # the same distributor twice in a row adds nothing; nothing is overwritten
    assert await _history(buyer.id) == [
        (first.id, "click"),
        (second.id, "click"),
        (first.id, "click"),
    ]
    async with db.connection() as conn:
        try:
            await conn.execute("UPDATE referral_bindings SET distributor_id = $1", second.id)
            raise AssertionError("the history must be append-only")
        except Exception as exc:
            assert "append-only" in str(exc)


async def test_an_expired_binding_gives_way_and_permanent_ones_do_not_expire(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, _first, second, (code1, code2) = await _setup(
        client, user_factory, bindingMode="first_touch", bindingExpiryDays=7
    )
    buyer = await user_factory("buyer")
    await visit(client, code1, buyer)
    async with db.connection() as conn:
        expires = await conn.fetchval(
            "SELECT expires_at - created_at FROM referral_bindings WHERE buyer_id = $1", buyer.id
        )
        assert expires.days == 7
        # eight days later (the history is append-only: the test moves time back with the trigger
        # off)
        await conn.execute(
            "ALTER TABLE referral_bindings DISABLE TRIGGER referral_bindings_append_only"
        )
        await conn.execute(
            "UPDATE referral_bindings SET created_at = created_at - interval '8 days', expires_at "
            "= expires_at - interval '8 days'"
        )
        await conn.execute(
            "ALTER TABLE referral_bindings ENABLE TRIGGER referral_bindings_append_only"
        )
    assert await bound_to(buyer.id) is None
    await visit(client, code2, buyer)
    assert await bound_to(buyer.id) == second.id

    admin = await user_factory("admin2", ["admin"])
    await configure(client, admin, bindingExpiryDays=None)
    other = await user_factory("other")
    await visit(client, code1, other)
    async with db.connection() as conn:
        assert (
            await conn.fetchval(
                "SELECT expires_at FROM referral_bindings WHERE buyer_id = $1", other.id
            )
            is None
        )


async def test_register_only_binds_a_new_account_as_it_registers_and_not_an_old_one(
    client: httpx.AsyncClient, user_factory
) -> None:
    product, first, _, (code1, _) = await _setup(client, user_factory, bindingMode="register_only")
    old = await user_factory("old_buyer")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE users SET created_at = now() - interval '1 day' WHERE id = $1", old.id
        )
    await visit(client, code1, old)
    assert await bound_to(old.id) is None  # an existing account visiting does not bind

    async with httpx.AsyncClient(
        base_url=str(client.base_url)
    ) as browser:  # an anonymous browser with a cookie jar
        landing = await browser.get(f"/s/{code1}", follow_redirects=False)
        assert "lc_ref" in landing.cookies
        registered = await browser.post(
            "/api/auth/register", json={"username": "newbie", "password": "a-long-password"}
        )
        assert registered.status_code == 201
        newbie_id = registered.json()["user"]["id"]
        assert await bound_to(newbie_id) == first.id  # bound as it signs up through the link
        order = await browser.post(
            "/api/orders",
            json={
                "items": [{"skuId": product["skus"][0]["id"], "quantity": 1}],
                "address": ADDRESS,
            },
            headers={"Idempotency-Key": "n1"},
        )
        assert order.status_code == 201, order.text
    assert await _history(newbie_id) == [(first.id, "register")]
    async with db.connection() as conn:
        attribution = await conn.fetchval(
            "SELECT attribution->>'distributorId' FROM orders WHERE id = $1", order.json()["id"]
        )
    assert int(attribution) == first.id


async def test_an_anonymous_visit_binds_at_the_order_and_a_forged_cookie_does_not(
    client: httpx.AsyncClient, user_factory
) -> None:
    product, first, _, (code1, _) = await _setup(client, user_factory)
    buyer = await user_factory("buyer")
    landing = await client.get(f"/s/{code1}", follow_redirects=False)
    cookie = landing.cookies["lc_ref"]
    forged = cookie.replace(code1, "ZZZZZZZZ")
    sku = product["skus"][0]["id"]
    response = await client.post(
        "/api/orders",
        json={"items": [{"skuId": sku, "quantity": 1}], "address": ADDRESS},
        headers={**buyer.headers, "Idempotency-Key": "f", "Cookie": f"lc_ref={forged}"},
    )
    assert response.status_code == 201 and await bound_to(buyer.id) is None
    response = await client.post(
        "/api/orders",
        json={"items": [{"skuId": sku, "quantity": 1}], "address": ADDRESS},
        headers={**buyer.headers, "Idempotency-Key": "g", "Cookie": f"lc_ref={cookie}"},
    )
    assert response.status_code == 201 and await _history(buyer.id) == [(first.id, "order")]


async def test_self_referral_is_ignored(client: httpx.AsyncClient, user_factory) -> None:
    _, first, _, (code1, _) = await _setup(client, user_factory)
    response = await visit(client, code1, first)
    assert "lc_ref" not in response.cookies
    assert await bound_to(first.id) is None
    async with db.connection() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM share_clicks") == 1
        )  # the click still counts
    qr = await client.get(f"/s/{code1}/qr.svg")
    assert (
        qr.status_code == 200
        and qr.headers["content-type"].startswith("image/svg+xml")
        and b"<svg" in qr.content
    )
