"""A visitor who came by a share link is bound when they register or log in (per the binding
mode, with its expiry), not only at a first order that still carries the cookie; and becoming a
distributor after such a visit makes the link's distributor the parent."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from livecommerce.domains.distribution import bindings
from livecommerce.infra import db
from tests.distribution.helpers import become, bound_to, configure, share, visit
from tests.support import PASSWORD, TestUser, create_product, pay_through_sandbox, place_order


async def _two_links(client: httpx.AsyncClient, user_factory, **settings):
    """(product, [(first, its link code), (second, its link code)]) under `settings`."""
    admin = await user_factory("admin", ["admin"])
    if settings:
        await configure(client, admin, **settings)
    host = await user_factory("host", ["host"])
    product = await create_product(client, host, price=1000, stock=50)
    made = []
    for name in ("first", "second"):
        distributor = await user_factory(name, ["distributor"])
        await become(client, distributor)
        made.append((distributor, (await share(client, distributor, product["id"]))["code"]))
    return product, made


@asynccontextmanager
async def _browser(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """An anonymous browser: its own cookie jar, no token."""
    async with httpx.AsyncClient(base_url=str(client.base_url), timeout=30) as browser:
        yield browser


async def _history(buyer_id: int) -> list[tuple[int, str]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT distributor_id, source FROM referral_bindings WHERE buyer_id = $1 ORDER BY id",
            buyer_id,
        )
    return [(r["distributor_id"], r["source"]) for r in rows]


async def _old_account(user_factory, name: str) -> TestUser:
    """An account made a day ago: it did not sign up through today's link."""
    user = await user_factory(name)
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE users SET created_at = now() - interval '1 day' WHERE id = $1", user.id
        )
    return user


async def _log_in(browser: httpx.AsyncClient, user: TestUser) -> None:
    response = await browser.post(
        "/api/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text


async def test_a_visitor_who_registers_through_a_link_is_bound_at_once_and_orders_elsewhere(
    client: httpx.AsyncClient, user_factory
) -> None:
    product, [(first, code), _] = await _two_links(client, user_factory)
    async with _browser(client) as browser:
        await browser.get(f"/s/{code}", follow_redirects=False)
        registered = await browser.post(
            "/api/auth/register", json={"username": "newbie", "password": "a-long-password"}
        )
        assert registered.status_code == 201, registered.text
    buyer = TestUser(
        id=registered.json()["user"]["id"], username="newbie", token=registered.json()["token"]
    )
    me = (await client.get("/api/distributors/me", headers=first.headers)).json()
    assert (me["clicks"], me["boundBuyers"]) == (1, 1)
    assert await _history(buyer.id) == [(first.id, "register")]
    async with db.connection() as conn:
        lasts = await conn.fetchval(
            "SELECT expires_at - created_at FROM referral_bindings WHERE buyer_id = $1", buyer.id
        )
    assert lasts.days == 30  # the default expiry

    # The first order comes from another device (a token, no referral cookie): still theirs.
    placed = await place_order(client, buyer, product["skus"][0]["id"])
    assert placed.status_code == 201, placed.text
    await pay_through_sandbox(client, buyer, placed.json()["id"])
    me = (await client.get("/api/distributors/me", headers=first.headers)).json()
    assert (me["orders"], me["pending"]) == (1, 100)  # 10% of 1000 fen


async def test_logging_in_after_a_visit_binds_as_the_mode_says(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, [(first, code1), (second, code2)] = await _two_links(client, user_factory)
    # first touch: an unbound account is bound at login; a bound one keeps its distributor
    fresh, bound = await _old_account(user_factory, "fresh"), await _old_account(user_factory, "b")
    await visit(client, code2, bound)
    for user in (fresh, bound):
        async with _browser(client) as browser:
            await browser.get(f"/s/{code1}", follow_redirects=False)
            await _log_in(browser, user)
    assert await _history(fresh.id) == [(first.id, "login")]
    assert await _history(bound.id) == [(second.id, "click")]

    admin = await user_factory("admin2", ["admin"])
    await configure(client, admin, bindingMode="last_touch")
    async with _browser(client) as browser:
        await browser.get(f"/s/{code1}", follow_redirects=False)
        await _log_in(browser, bound)
    assert await _history(bound.id) == [(second.id, "click"), (first.id, "login")]

    await configure(client, admin, bindingMode="register_only")
    old = await _old_account(user_factory, "old")
    async with _browser(client) as browser:
        await browser.get(f"/s/{code1}", follow_redirects=False)
        await _log_in(browser, old)
    assert await _history(old.id) == []  # it did not sign up through the link


async def test_a_forged_an_expired_or_an_older_cookie_binds_nothing(
    client: httpx.AsyncClient, user_factory
) -> None:
    _, [(first, code1), (second, code2)] = await _two_links(
        client, user_factory, bindingMode="last_touch", bindingExpiryDays=7
    )
    now = int(time.time())
    genuine = bindings.sign(code1, now)
    cookies = {
        "forged": genuine.replace(code1, code2),
        "badsig": genuine[:-1] + ("0" if genuine[-1] != "0" else "1"),
        "expired": bindings.sign(code1, now - 8 * 86_400),  # clicked 8 days ago, expiry 7
    }
    for name, cookie in cookies.items():
        async with _browser(client) as browser:
            browser.cookies.set("lc_ref", cookie)
            registered = await browser.post(
                "/api/auth/register", json={"username": name, "password": "a-long-password"}
            )
            assert registered.status_code == 201, registered.text
            assert await _history(registered.json()["user"]["id"]) == [], name

    # A cookie of a click made before the buyer's current binding does not undo it.
    buyer = await user_factory("buyer")
    await visit(client, code2, buyer)
    async with _browser(client) as browser:
        browser.cookies.set("lc_ref", bindings.sign(code1, now - 60))
        await _log_in(browser, buyer)
    assert await _history(buyer.id) == [(second.id, "click")]
    assert await bound_to(buyer.id) == second.id
    assert first.id != second.id


async def test_recruiting_by_link_gives_the_recruiter_as_parent_and_a_fresh_token(
    client: httpx.AsyncClient, user_factory
) -> None:
    product, [(first, code1), (second, _)] = await _two_links(
        client, user_factory, bindingMode="register_only"
    )
    async with _browser(client) as browser:
        await browser.get(f"/s/{code1}", follow_redirects=False)
        await browser.post(
            "/api/auth/register", json={"username": "recruit", "password": "a-long-password"}
        )
        joined = await browser.post("/api/distributors", json={})
    assert joined.status_code == 201, joined.text
    assert joined.json()["parentId"] == first.id and joined.json()["parentCode"]
    token = joined.json()["token"]
    assert token, "the role came with the profile: the client needs a token carrying it"
    fresh = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/me", headers=fresh)).json()["roles"] == ["distributor"]
    linked = await client.post("/api/share-links", json={"productId": product["id"]}, headers=fresh)
    assert linked.status_code == 201, linked.text
    team = (await client.get("/api/distributors/me/team", headers=first.headers)).json()
    assert team["counts"]["1"] == 1

    # An old account is not bound in register_only mode, but its visit still names the recruiter.
    old = await _old_account(user_factory, "old")
    async with _browser(client) as browser:
        await browser.get(f"/s/{code1}", follow_redirects=False)
        await _log_in(browser, old)
        joined = await browser.post("/api/distributors", json={})
    assert await _history(old.id) == []
    assert (joined.status_code, joined.json()["parentId"]) == (201, first.id)

    # A code given explicitly wins over the visit.
    other = await _old_account(user_factory, "other")
    async with _browser(client) as browser:
        await browser.get(f"/s/{code1}", follow_redirects=False)
        await _log_in(browser, other)
        second_code = (await client.get("/api/distributors/me", headers=second.headers)).json()[
            "profile"
        ]["code"]
        joined = await browser.post("/api/distributors", json={"parentCode": second_code})
    assert joined.json()["parentId"] == second.id

    # With approval the profile waits, and there is no new token yet.
    admin = await user_factory("admin3", ["admin"])
    await configure(client, admin, signup="approval")
    waiting = await client.post(
        "/api/distributors", json={}, headers=(await user_factory("waiting")).headers
    )
    assert (waiting.status_code, waiting.json()["status"], waiting.json()["token"]) == (
        202,
        "pending",
        None,
    )
