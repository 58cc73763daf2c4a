from __future__ import annotations

import itertools

import httpx
import pytest

from livecommerce.domains.orders.rules import TRANSITIONS, Action, Party, Status, ensure_transition
from livecommerce.infra.errors import DomainError
from tests.support import create_product, pay_through_sandbox, place_order, problem_code


@pytest.mark.parametrize(
    ("action", "status", "party"), list(itertools.product(Action, Status, Party))
)
def test_the_transition_table_is_the_only_way_an_order_moves(
    action: Action, status: Status, party: Party
) -> None:
    sources, target, allowed = TRANSITIONS[action]
    if party in allowed and status in sources:
        assert ensure_transition(status, action, {party}) == target
        return
    with pytest.raises(DomainError) as raised:
        ensure_transition(status, action, {party})
    expected = (403, "forbidden") if party not in allowed else (409, "illegal_transition")
    assert (raised.value.status, raised.value.code.value) == expected


async def test_each_role_may_do_only_its_part_over_http(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    stranger = await user_factory("stranger", ["host"])
    admin = await user_factory("admin", ["admin"])
    sku_id = (await create_product(client, host, price=1000))["skus"][0]["id"]
    order_id = (await place_order(client, buyer, sku_id)).json()["id"]

    async def act(who, action: str, json: dict | None = None) -> httpx.Response:
        return await client.post(
            f"/api/orders/{order_id}/{action}", json=json or {}, headers=who.headers
        )

    shipped_unpaid = await act(host, "ship", {"trackingNo": "SF1"})
    assert (shipped_unpaid.status_code, problem_code(shipped_unpaid)) == (409, "illegal_transition")
    host_pays = await act(host, "pay")
    assert (host_pays.status_code, problem_code(host_pays)) == (403, "forbidden")
    bodies = {
        "pay": {},
        "cancel": {},
        "ship": {"trackingNo": "x"},
        "confirm": {},
        "refund": {"reason": "x"},
    }
    for action, body in bodies.items():
        response = await act(stranger, action, body)
        assert response.status_code == 404, (action, response.text)

    await pay_through_sandbox(client, buyer, order_id)
    cancel_paid = await act(buyer, "cancel")
    assert (cancel_paid.status_code, problem_code(cancel_paid)) == (409, "illegal_transition")
    buyer_ships = await act(buyer, "ship", {"trackingNo": "SF1"})
    assert (buyer_ships.status_code, problem_code(buyer_ships)) == (403, "forbidden")
    assert (await act(host, "ship", {"trackingNo": "SF1"})).json()["status"] == "shipped"
    host_confirms = await act(host, "confirm")
    assert (host_confirms.status_code, problem_code(host_confirms)) == (403, "forbidden")
    buyer_completes = await act(buyer, "complete")
    assert (buyer_completes.status_code, problem_code(buyer_completes)) == (403, "forbidden")
    assert (await act(buyer, "confirm")).json()["status"] == "received"
    completed = await act(admin, "complete")
    assert completed.json()["status"] == "completed"
    late_refund = await act(buyer, "refund", {"reason": "changed my mind"})
    assert (late_refund.status_code, problem_code(late_refund)) == (409, "illegal_transition")
