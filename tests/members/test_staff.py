"""Host staff: a host makes a staff account (or adds an existing user), the staff member works on
that host's members only, and removing them revokes the role at once, old tokens included."""

from __future__ import annotations

import httpx

from livecommerce.domains.members import staff
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from tests.support import PASSWORD, create_product, pay_through_sandbox, place_order, problem_code


async def _login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_a_host_makes_a_staff_account_that_sees_its_members_until_removed(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("shop", ["host"])
    buyer = await user_factory("buyer")
    product = await create_product(client, host, price=1500)
    order = (await place_order(client, buyer, product["skus"][0]["id"])).json()
    await pay_through_sandbox(client, buyer, order["id"])

    made = await client.post(
        "/api/host/staff",
        json={"username": "aide", "password": "aide-password-1", "displayName": "小王"},
        headers=host.headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["created"] is True
    aide_id = made.json()["userId"]
    listed = await client.get("/api/host/staff", headers=host.headers)
    assert [s["username"] for s in listed.json()] == ["aide"]

    aide = await _login(client, "aide", "aide-password-1")
    me = await client.get("/api/me", headers=aide)
    assert me.json()["roles"] == ["staff"]
    seen = await client.get(f"/api/host/members/{buyer.id}", headers=aide)
    assert seen.status_code == 200, seen.text
    assert seen.json()["member"]["lifetimeSpend"] == 1500
    # Staff never manage staff.
    assert (await client.get("/api/host/staff", headers=aide)).status_code == 403

    removed = await client.delete(f"/api/host/staff/{aide_id}", headers=host.headers)
    assert removed.status_code == 204
    # The same token, issued before the removal, has lost the role and the host's members.
    assert (await client.get(f"/api/host/members/{buyer.id}", headers=aide)).status_code == 403
    async with db.connection() as conn:
        roles = await conn.fetchval("SELECT roles FROM users WHERE id = $1", aide_id)
        assert list(roles) == []
        # Even a token that still said `staff` would find no host to work for.
        assert await staff.host_scope(conn, Actor(aide_id, "aide", frozenset({"staff"}))) is None


async def test_an_existing_user_is_added_by_username_and_only_once(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("shop", ["host"])
    other = await user_factory("othershop", ["host"])
    helper = await user_factory("helper")
    added = await client.post("/api/host/staff", json={"username": "helper"}, headers=host.headers)
    assert added.status_code == 201, added.text
    assert added.json()["created"] is False
    async with db.connection() as conn:
        actor = Actor(helper.id, "helper", frozenset({"staff"}))
        assert await staff.host_scope(conn, actor) == host.id
        assert await staff.host_scope(conn, Actor(host.id, "shop", frozenset({"host"}))) == host.id
        assert await staff.host_scope(conn, Actor(9, "admin", frozenset({"admin"}))) is None
        assert await staff.host_scope(conn, Actor(9, "admin", frozenset({"admin"})), 5) == 5
        assert await staff.host_scope(conn, Actor(helper.id, "x", frozenset())) is None

    again = await client.post("/api/host/staff", json={"username": "helper"}, headers=other.headers)
    assert again.status_code == 409 and problem_code(again) == "already_staff"
    a_host = await client.post(
        "/api/host/staff", json={"username": "othershop"}, headers=host.headers
    )
    assert a_host.status_code == 409 and problem_code(a_host) == "cannot_be_staff"
    missing = await client.post(
        "/api/host/staff", json={"username": "nobody"}, headers=host.headers
    )
    assert missing.status_code == 404
    taken = await client.post(
        "/api/host/staff", json={"username": "helper", "password": PASSWORD}, headers=host.headers
    )
    assert taken.status_code == 409 and problem_code(taken) == "username_taken"
    # Another host can't remove this host's staff member.
    gone = await client.delete(f"/api/host/staff/{helper.id}", headers=other.headers)
    assert gone.status_code == 404


async def test_staff_read_their_hosts_order_desk_and_never_ship(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("shop", ["host"])
    other = await user_factory("othershop", ["host"])
    buyer = await user_factory("buyer")
    viewer = await user_factory("viewer")
    mine = await create_product(client, host, price=1000)
    theirs = await create_product(client, other, price=1000)
    order = (await place_order(client, buyer, mine["skus"][0]["id"])).json()
    await pay_through_sandbox(client, buyer, order["id"])
    await place_order(client, buyer, theirs["skus"][0]["id"])
    await client.post("/api/host/staff", json={"username": "buyer"}, headers=host.headers)
    aide = await _login(client, "buyer", PASSWORD)

    desk = await client.get("/api/host/desk/orders", headers=aide)
    assert desk.status_code == 200, desk.text
    assert [item["order"]["id"] for item in desk.json()["items"]] == [order["id"]]
    assert (await client.get("/api/host/desk/sessions", headers=aide)).status_code == 200
    ship = await client.post(
        "/api/host/desk/ship",
        json={"orders": [{"orderId": order["id"], "carrier": "SF", "trackingNo": "SF1"}]},
        headers=aide,
    )
    assert ship.status_code == 403
    assert (await client.get("/api/host/desk/orders", headers=viewer.headers)).status_code == 403
