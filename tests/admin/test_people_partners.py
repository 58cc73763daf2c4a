"""Hosts and distributors in the console: their figures, and what a suspension stops (a host
going live or creating products; a distributor earning on new orders or withdrawing) until they
are reinstated; every decision audited."""

from __future__ import annotations

import httpx

from tests.distribution.helpers import become, commissions_of, configure, share, visit
from tests.support import (
    create_product,
    create_room,
    pay_through_sandbox,
    place_order,
    problem_code,
)


async def _partners(client: httpx.AsyncClient, admin, query: str) -> list[dict]:
    response = await client.get(f"/api/admin/partners?{query}", headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def _decide(client, admin, user_id: int, verb: str, kind: str, reason: str = "review"):
    return await client.post(
        f"/api/admin/partners/{user_id}/{verb}",
        json={"kind": kind, "reason": reason},
        headers=admin.headers,
    )


async def test_hosts_show_paid_orders_gmv_refunds_and_rooms(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("root", ["admin"])
    host = await user_factory("teahouse", ["host"])
    quiet = await user_factory("quiet", ["host"])
    buyer = await user_factory("buyer")
    product = await create_product(client, host, price=1250, stock=10)
    await create_room(client, host)
    paid = []
    for quantity in (1, 2):
        order = await place_order(client, buyer, product["skus"][0]["id"], quantity)
        assert order.status_code == 201, order.text
        paid.append(order.json())
        await pay_through_sandbox(client, buyer, order.json()["id"])
    unpaid = await place_order(client, buyer, product["skus"][0]["id"])
    assert unpaid.status_code == 201

    rows = await _partners(client, admin, "kind=host")
    assert [(r["userId"], r["orders"], r["gmv"], r["refunded"], r["rooms"]) for r in rows] == [
        (quiet.id, 0, 0, 0, 0),
        (host.id, 2, sum(o["payAmount"] for o in paid), 0, 1),
    ]
    assert sum(o["payAmount"] for o in paid) == 3 * 1250
    assert [r["userId"] for r in await _partners(client, admin, "kind=host&q=tea")] == [host.id]


async def test_a_suspended_host_cannot_go_live_or_create_products_until_reinstated(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("root", ["admin"])
    host = await user_factory("teahouse", ["host"])
    viewer = await user_factory("viewer")
    room = await create_room(client, host)
    suspended = await _decide(client, admin, host.id, "suspend", "host", "counterfeit tea")
    assert suspended.status_code == 200 and suspended.json()["suspended"] is True
    twice = await _decide(client, admin, host.id, "suspend", "host")
    assert (twice.status_code, problem_code(twice)) == (409, "already_suspended")

    start = await client.post(f"/api/rooms/{room['id']}/start", json={}, headers=host.headers)
    assert (start.status_code, problem_code(start)) == (409, "suspended")
    product = await client.post(
        "/api/products",
        json={"title": "Tea", "skus": [{"name": "one", "price": 100, "stock": 1}]},
        headers=host.headers,
    )
    assert (product.status_code, problem_code(product)) == (409, "suspended")
    assert [r["userId"] for r in await _partners(client, admin, "kind=host&status=suspended")] == [
        host.id
    ]
    assert await _partners(client, admin, "kind=host&status=active") == []
    not_a_host = await _decide(client, admin, viewer.id, "suspend", "host")
    assert not_a_host.status_code == 404

    reinstated = await _decide(client, admin, host.id, "reinstate", "host", "appeal accepted")
    assert reinstated.status_code == 200 and reinstated.json()["suspended"] is False
    again = await _decide(client, admin, host.id, "reinstate", "host")
    assert (again.status_code, problem_code(again)) == (409, "not_suspended")
    start = await client.post(f"/api/rooms/{room['id']}/start", json={}, headers=host.headers)
    assert start.status_code == 200, start.text
    assert (await create_product(client, host))["id"]

    query = f"targetKind=user&targetId={host.id}"
    audit = await client.get(f"/api/admin/audit?{query}", headers=admin.headers)
    assert [(e["action"], e["before"], e["after"], e["reason"]) for e in audit.json()["items"]] == [
        ("host.reinstate", {"hostSuspended": True}, {"hostSuspended": False}, "appeal accepted"),
        ("host.suspend", {"hostSuspended": False}, {"hostSuspended": True}, "counterfeit tea"),
    ]


async def test_a_suspended_distributor_earns_nothing_on_new_orders_and_cannot_withdraw(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("root", ["admin"])
    await configure(client, admin, levels=1, levelRatesBp=[1000])
    host = await user_factory("teahouse", ["host"])
    dist = await user_factory("sharer", ["distributor"])
    profile = await become(client, dist)
    buyer = await user_factory("buyer")
    product = await create_product(client, host, price=2000, stock=10)
    link = await share(client, dist, product["id"])
    await visit(client, link["code"], buyer)

    async def bought() -> int:
        order = await place_order(client, buyer, product["skus"][0]["id"])
        assert order.status_code == 201, order.text
        await pay_through_sandbox(client, buyer, order.json()["id"])
        return order.json()["id"]

    before = await bought()
    assert [(c[0], c[2], c[4]) for c in await commissions_of(before)] == [(dist.id, 200, "pending")]
    [row] = await _partners(client, admin, "kind=distributor")
    assert (row["userId"], row["code"], row["boundBuyers"], row["orders"]) == (
        dist.id,
        profile["code"],
        1,
        1,
    )
    assert (row["commissionPending"], row["commissionSettled"]) == (200, 0)

    assert (await _decide(client, admin, dist.id, "suspend", "distributor")).status_code == 200
    after = await bought()
    assert await commissions_of(after) == []
    withdraw = await client.post(
        "/api/distributors/me/withdrawals", json={"amount": 100}, headers=dist.headers
    )
    assert (withdraw.status_code, problem_code(withdraw)) == (409, "suspended")

    assert (await _decide(client, admin, dist.id, "reinstate", "distributor")).status_code == 200
    again = await bought()
    assert [(c[0], c[2]) for c in await commissions_of(again)] == [(dist.id, 200)]
    withdraw = await client.post(
        "/api/distributors/me/withdrawals", json={"amount": 100}, headers=dist.headers
    )
    # Refused for its balance now (nothing settled yet), no longer for the suspension.
    assert withdraw.status_code in (409, 422) and problem_code(withdraw) != "suspended"
