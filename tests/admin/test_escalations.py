"""Refunds in dispute: a buyer takes an order to the platform (only the buyer, one open at a
time, within the after-sales window or 15 days after a rejection) and an operator grants it (a
refund, before or after completion, once per Idempotency-Key) or dismisses it with a reason;
every decision audited in its own transaction."""

from __future__ import annotations

import uuid

import httpx

from tests.admin.money_helpers import (
    actions,
    answer_refund,
    ask_refund,
    complete,
    ledger_sum,
    paid_order,
    product_sku,
    scalar,
)
from tests.distribution.helpers import deliver
from tests.support import ADDRESS, ledger_state, problem_code


async def _escalate(client: httpx.AsyncClient, user, order_id: int, reason: str = "货不对板"):
    return await client.post(
        f"/api/orders/{order_id}/escalate", json={"reason": reason}, headers=user.headers
    )


async def _people(user_factory):
    return (
        await user_factory("admin", ["admin"]),
        await user_factory("host", ["host"]),
        await user_factory("buyer"),
    )


async def test_only_the_buyer_escalates_once_at_a_time_within_the_window(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin, host, buyer = await _people(user_factory)
    stranger = await user_factory("stranger")
    sku = await product_sku(client, host, 3_000)
    order = await paid_order(client, buyer, sku)
    refund = await ask_refund(client, buyer, order["id"])
    while_open = await _escalate(client, buyer, order["id"])
    assert (while_open.status_code, problem_code(while_open)) == (409, "illegal_transition")
    await answer_refund(client, host, refund["id"], "reject", "已发货，不支持退款")

    assert (await _escalate(client, stranger, order["id"])).status_code == 404
    by_host = await _escalate(client, host, order["id"])
    assert (by_host.status_code, problem_code(by_host)) == (403, "forbidden")
    blank = await _escalate(client, buyer, order["id"], "   ")
    assert blank.status_code == 400
    first = await _escalate(client, buyer, order["id"])
    assert first.status_code == 201, first.text
    assert (first.json()["status"], first.json()["refundId"]) == ("open", refund["id"])
    second = await _escalate(client, buyer, order["id"])
    assert (second.status_code, problem_code(second)) == (409, "conflict")
    mine = await client.get(f"/api/orders/{order['id']}/escalations", headers=buyer.headers)
    assert [e["id"] for e in mine.json()] == [first.json()["id"]]
    assert (
        await client.get(f"/api/orders/{order['id']}/escalations", headers=stranger.headers)
    ).status_code == 404

    # A completed order: 15 days after the rejection, and no longer.
    await complete(client, admin, host, buyer, order["id"])
    dismissed = await client.post(
        f"/api/admin/disputes/escalations/{first.json()['id']}/dismiss",
        json={"reason": "商家已按描述发货"},
        headers=admin.headers,
    )
    assert dismissed.status_code == 200, dismissed.text
    again = await _escalate(client, buyer, order["id"], "still wrong")
    assert again.status_code == 201, again.text
    await client.post(
        f"/api/admin/disputes/escalations/{again.json()['id']}/dismiss",
        json={"reason": "同上"},
        headers=admin.headers,
    )
    await scalar(
        "UPDATE refunds SET decided_at = now() - interval '16 days' WHERE id = $1 RETURNING id",
        refund["id"],
    )
    late = await _escalate(client, buyer, order["id"])
    assert (late.status_code, problem_code(late)) == (409, "illegal_transition")


async def test_within_the_after_sales_window_and_not_after_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    _admin, host, buyer = await _people(user_factory)
    sku = await product_sku(client, host, 3_000)
    unpaid = await client.post(
        "/api/orders",
        json={"items": [{"skuId": sku, "quantity": 1}], "address": ADDRESS},
        headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert (await _escalate(client, buyer, unpaid.json()["id"])).status_code == 409
    received = await paid_order(client, buyer, sku)
    await deliver(client, host, buyer, received["id"])
    await scalar(
        "UPDATE orders SET after_sales_until = now() - interval '1 minute' WHERE id = $1"
        " RETURNING id",
        received["id"],
    )
    closed = await _escalate(client, buyer, received["id"])
    assert (closed.status_code, problem_code(closed)) == (409, "illegal_transition")
    await scalar(
        "UPDATE orders SET after_sales_until = now() + interval '1 day' WHERE id = $1 RETURNING id",
        received["id"],
    )
    assert (await _escalate(client, buyer, received["id"])).status_code == 201


async def test_granting_before_completion_refunds_from_escrow_once_and_audits_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin, host, buyer = await _people(user_factory)
    sku = await product_sku(client, host, 4_000)
    order = await paid_order(client, buyer, sku)
    refund = await ask_refund(client, buyer, order["id"])
    await answer_refund(client, host, refund["id"], "reject", "不同意")
    escalation = (await _escalate(client, buyer, order["id"])).json()

    listed = await client.get("/api/admin/disputes?view=open", headers=admin.headers)
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert (item["orderId"], item["escalation"]["id"], item["rejectedRefund"]["id"]) == (
        order["id"],
        escalation["id"],
        refund["id"],
    )
    assert (item["refundable"], item["grantable"], item["rejectedRefund"]["decisionReason"]) == (
        4_000,
        True,
        "不同意",
    )
    assert listed.json()["openCount"] == 1

    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"amount": 1_500, "reason": "平台核实：商品有瑕疵"}
    url = f"/api/admin/disputes/orders/{order['id']}/grant"
    assert (await client.post(url, json=body, headers=admin.headers)).status_code == 400
    granted = await client.post(url, json=body, headers={**admin.headers, **key})
    assert granted.status_code == 201, granted.text
    assert (granted.json()["status"], granted.json()["refundedAmount"]) == ("paid", 1_500)
    replay = await client.post(url, json=body, headers={**admin.headers, **key})
    assert (replay.status_code, replay.headers.get("Idempotent-Replayed")) == (201, "true")
    assert replay.json()["refundedAmount"] == 1_500
    assert await ledger_sum("escrow") == 4_000 - 1_500

    mine = (
        await client.get(f"/api/orders/{order['id']}/escalations", headers=buyer.headers)
    ).json()
    assert mine[0]["status"] == "granted" and mine[0]["grantedRefundId"] is not None
    [audited] = await actions("refund.dispute")
    assert (audited["actor_id"], audited["target_kind"], audited["target_id"]) == (
        admin.id,
        "order",
        order["id"],
    )
    assert audited["before"] == {"status": "paid", "refundedAmount": 0}
    assert audited["after"] == {
        "status": "paid",
        "refundedAmount": 1_500,
        "refundId": mine[0]["grantedRefundId"],
        "amount": 1_500,
    }
    assert audited["reason"] == "平台核实：商品有瑕疵"
    by_buyer = await client.post(url, json=body, headers={**buyer.headers, **key})
    assert by_buyer.status_code == 403
    state = await ledger_state()
    assert state.balanced, state.problems


async def test_granting_after_completion_is_the_dispute_refund_and_dismissing_is_audited(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin, host, buyer = await _people(user_factory)
    sku = await product_sku(client, host, 6_000)
    order = await paid_order(client, buyer, sku)
    refund = await ask_refund(client, buyer, order["id"])
    await answer_refund(client, host, refund["id"], "reject", "不同意")
    await complete(client, admin, host, buyer, order["id"])
    escalation = (await _escalate(client, buyer, order["id"])).json()
    granted = await client.post(
        f"/api/admin/disputes/orders/{order['id']}/grant",
        json={"amount": 6_000, "reason": "全额退款"},
        headers={**admin.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert granted.status_code == 201, granted.text
    assert granted.json()["status"] == "refunded"
    [audited] = await actions("refund.dispute")
    assert audited["before"] == {"status": "completed", "refundedAmount": 0}
    assert audited["after"]["status"] == "refunded"
    status = await scalar(
        "SELECT count(*) FROM order_escalations WHERE id = $1 AND status = 'granted'",
        escalation["id"],
    )
    assert status == 1

    other = await paid_order(client, buyer, sku)
    second = await ask_refund(client, buyer, other["id"])
    await answer_refund(client, host, second["id"], "reject", "no")
    opened = (await _escalate(client, buyer, other["id"])).json()
    dismiss_url = f"/api/admin/disputes/escalations/{opened['id']}/dismiss"
    assert (
        await client.post(dismiss_url, json={"reason": " "}, headers=admin.headers)
    ).status_code == 400
    dismissed = await client.post(dismiss_url, json={"reason": "证据不足"}, headers=admin.headers)
    assert (dismissed.json()["status"], dismissed.json()["decisionReason"]) == (
        "dismissed",
        "证据不足",
    )
    twice = await client.post(dismiss_url, json={"reason": "again"}, headers=admin.headers)
    assert (twice.status_code, problem_code(twice)) == (409, "illegal_transition")
    [audited] = await actions("escalation.dismiss")
    assert (audited["target_kind"], audited["target_id"], audited["reason"]) == (
        "escalation",
        opened["id"],
        "证据不足",
    )
    assert (audited["before"]["status"], audited["after"]["status"]) == ("open", "dismissed")
    everything = (await client.get("/api/admin/disputes", headers=admin.headers)).json()
    assert {i["orderId"] for i in everything["items"]} == {order["id"], other["id"]}
    assert everything["openCount"] == 0
    state = await ledger_state()
    assert state.balanced, state.problems
