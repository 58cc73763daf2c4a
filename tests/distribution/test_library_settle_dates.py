"""Each commission says when it should reach the wallet: after receipt (no date yet), at the
end of the after-sales window, held by an open refund, in the next batch, or settled; and why
it shrank (the item's refund)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from livecommerce.domains.distribution import jobs as distribution_jobs
from livecommerce.domains.distribution.settle_dates import expected_settlement
from livecommerce.domains.orders import jobs as order_jobs
from livecommerce.worker.settings import job_context
from tests.distribution.helpers import chain, close_window, deliver, share, visit
from tests.support import create_product, pay_through_sandbox, place_order


async def _mine(client: httpx.AsyncClient, user) -> list[dict]:
    answer = await client.get("/api/distributors/me/commissions", headers=user.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def _when(item: dict) -> tuple[str, str | None]:
    return item["settleRule"], item["settlesAt"]


async def test_a_commission_says_when_it_settles_through_its_orders_life(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    ((dist, _),) = await chain(client, user_factory, ["dist"])
    product = await create_product(client, host, price=10_000, stock=9)
    await visit(client, (await share(client, dist, product["id"]))["code"], buyer)
    placed = await place_order(client, buyer, product["skus"][0]["id"], 1)
    order_id = placed.json()["id"]
    await pay_through_sandbox(client, buyer, order_id)

    [paid] = await _mine(client, dist)
    assert _when(paid) == ("after_receipt", None)
    assert (paid["status"], paid["orderStatus"], paid["receivedAt"]) == ("pending", "paid", None)

    await deliver(client, host, buyer, order_id)
    order = (await client.get(f"/api/orders/{order_id}", headers=buyer.headers)).json()
    [received] = await _mine(client, dist)
    assert received["settleRule"] == "after_sales" and order["afterSalesUntil"]
    assert datetime.fromisoformat(received["settlesAt"]) == datetime.fromisoformat(
        order["afterSalesUntil"]
    )
    assert received["receivedAt"] is not None

    item = order["items"][0]["id"]
    asked = await client.post(
        f"/api/orders/{order_id}/refund",
        json={"reason": "one cup cracked", "itemId": item, "amount": 2_000},
        headers=buyer.headers,
    )
    assert asked.status_code in (200, 201), asked.text
    [held] = await _mine(client, dist)
    assert held["settleRule"] == "refund_open"
    approved = await client.post(
        f"/api/refunds/{asked.json()['refunds'][0]['id']}/approve", headers=host.headers
    )
    assert approved.status_code == 200, approved.text
    [shrunk] = await _mine(client, dist)
    assert (shrunk["itemRefunded"], shrunk["reversedAmount"], shrunk["netAmount"]) == (
        2_000,
        200,
        800,
    )
    assert shrunk["settleRule"] == "after_sales"

    await close_window(order_id)
    ctx = job_context(migrated)
    assert await order_jobs.complete_order(ctx, order_id) is True
    [due] = await _mine(client, dist)
    assert due["settleRule"] == "next_batch" and due["settlesAt"] is not None
    await distribution_jobs.settle_due_commissions(ctx)
    [settled] = await _mine(client, dist)
    assert _when(settled) == ("settled", settled["settledAt"]) and settled["settledAt"]


def test_settle_rules_by_status() -> None:
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

    def rule(status: str, order_status: str, until: datetime | None = None) -> tuple:
        return expected_settlement(
            status, order_status=order_status, after_sales_until=until, due_at=now, settled_at=now
        )

    assert rule("pending", "paid") == ("after_receipt", None)
    assert rule("pending", "shipped") == ("after_receipt", None)
    assert rule("pending", "received", now) == ("after_sales", now)
    assert rule("pending", "refunding") == ("refund_open", None)
    assert rule("pending", "refunded") == ("reversed", None)
    assert rule("reversed", "completed") == ("reversed", None)
    assert rule("due", "completed", now) == ("next_batch", now)
    assert rule("settled", "completed", now) == ("settled", now)
