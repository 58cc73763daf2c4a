"""Host payouts over real HTTP: the whole money path from a paid order to money at the host's
account, held while pending, paid once however often approved, never overdrawn by concurrent
requests, a minimum and a fee, and payout methods that never show their number."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import msgspec

from bench.ledger_checks import entries_of_kind
from livecommerce.domains.orders import jobs
from livecommerce.infra import db
from livecommerce.worker.settings import job_context
from tests.support import (
    TestUser,
    create_product,
    ledger_state,
    pay_through_sandbox,
    place_order,
    problem_code,
)

ALIPAY = {"kind": "alipay", "accountName": "张三丰", "accountNo": "13912345678"}
# The windows of the order's life, shortened as ENV=test allows: 0.00001 days is 0.864 s.
WINDOW_DAYS = 0.00001


async def _settled_host(
    client: httpx.AsyncClient, migrated, host: TestUser, buyer: TestUser, price: int
) -> int:
    """An order of `price` paid, shipped from the desk, confirmed and completed by the jobs:
    the host's takings are settled. Returns the order id."""
    ctx = job_context(
        msgspec.structs.replace(
            migrated, auto_confirm_days=WINDOW_DAYS, after_sales_days=WINDOW_DAYS
        )
    )
    sku = (await create_product(client, host, price=price))["skus"][0]["id"]
    order_id = (await place_order(client, buyer, sku)).json()["id"]
    await pay_through_sandbox(client, buyer, order_id)
    shipped = await client.post(
        "/api/host/desk/ship",
        json={"orders": [{"orderId": order_id, "carrier": "SF", "trackingNo": "SF42"}]},
        headers=host.headers,
    )
    assert shipped.json()["shipped"] == 1, shipped.text
    await asyncio.sleep(1.0)
    assert await jobs.auto_confirm_order(ctx, order_id) is True
    assert await jobs.complete_order(ctx, order_id) is False  # the after-sales window is open
    await asyncio.sleep(1.0)
    assert await jobs.complete_order(ctx, order_id) is True
    return order_id


async def _method(client: httpx.AsyncClient, host: TestUser, **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/host/payout-methods", json={**ALIPAY, **body}, headers=host.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _summary(client: httpx.AsyncClient, host: TestUser) -> dict[str, Any]:
    response = await client.get("/api/host/payouts/summary", headers=host.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _withdraw(
    client: httpx.AsyncClient, host: TestUser, amount: int, method_id: int
) -> httpx.Response:
    return await client.post(
        "/api/host/payouts", json={"amount": amount, "methodId": method_id}, headers=host.headers
    )


async def _sandbox_payouts() -> list[tuple[str, int, str]]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT key, amount, destination FROM sandbox_payouts ORDER BY id")
    return [(r["key"], r["amount"], r["destination"]) for r in rows]


async def test_a_paid_order_becomes_takings_the_host_withdraws_and_an_admin_pays_out_once(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("shop", ["host"])
    buyer = await user_factory("buyer")
    admin = await user_factory("admin", ["admin"])
    await _settled_host(client, migrated, host, buyer, price=10_000)
    takings = 10_000 - 10_000 * migrated.platform_fee_bp // 10_000
    summary = await _summary(client, host)
    assert (summary["available"], summary["escrow"], summary["held"]) == (takings, 0, 0)
    assert summary["minimum"] == migrated.host_payout_min

    method = await _method(client, host)
    asked = await _withdraw(client, host, takings, method["id"])
    assert asked.status_code == 201, asked.text
    payout = asked.json()
    assert (payout["status"], payout["amount"], payout["payout"]) == ("pending", takings, takings)
    assert payout["destination"] == "支付宝 139****5678 · 张**"
    held = await _summary(client, host)
    assert (held["available"], held["held"], held["pending"]) == (0, takings, 1)

    refused = await client.post(f"/api/admin/payouts/{payout['id']}/approve", headers=host.headers)
    assert refused.status_code == 403
    queue = (await client.get("/api/admin/payouts?status=pending", headers=admin.headers)).json()
    assert [p["id"] for p in queue["items"]] == [payout["id"]]
    # Five approvals at once: one pays, the others find it paid.
    answers = await asyncio.gather(
        *(
            client.post(f"/api/admin/payouts/{payout['id']}/approve", headers=admin.headers)
            for _ in range(5)
        )
    )
    assert sorted(r.status_code for r in answers) == [200, 409, 409, 409, 409]
    paid = next(r.json() for r in answers if r.status_code == 200)
    assert paid["status"] == "paid" and paid["providerRef"].startswith("sbx_payout_")
    twice = await client.post(f"/api/admin/payouts/{payout['id']}/approve", headers=admin.headers)
    assert (twice.status_code, problem_code(twice)) == (409, "illegal_transition")
    reject_after = await client.post(
        f"/api/admin/payouts/{payout['id']}/reject", json={"reason": "x"}, headers=admin.headers
    )
    assert reject_after.status_code == 409

    assert await _sandbox_payouts() == [(f"payout-{payout['id']}", takings, "alipay 139****5678")]
    after = await _summary(client, host)
    assert (after["available"], after["held"], after["paidOut"], after["pending"]) == (
        0,
        0,
        takings,
        0,
    )
    history = (await client.get("/api/host/payouts", headers=host.headers)).json()["items"]
    assert [p["status"] for p in history] == ["paid"]
    async with db.connection() as conn:
        payouts_posted = await conn.fetchval(
            "SELECT count(*) FROM ledger_transactions WHERE business_key LIKE 'payout:%:paid'"
        )
        gateway = await entries_of_kind(conn, "gateway")
    assert payouts_posted == 1
    assert gateway == -10_000 + takings  # the buyer's payment in, the host's payout out
    state = await ledger_state()
    assert state.balanced, state.problems


async def test_ten_concurrent_payouts_of_the_whole_balance_pay_exactly_one(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("racer", ["host"])
    buyer = await user_factory("buyer")
    await _settled_host(client, migrated, host, buyer, price=5_000)
    balance = (await _summary(client, host))["available"]
    method = await _method(client, host)
    answers = await asyncio.gather(
        *(_withdraw(client, host, balance, method["id"]) for _ in range(10))
    )
    assert sorted(r.status_code for r in answers) == [201] + [409] * 9
    assert {problem_code(r) for r in answers if r.status_code == 409} == {"insufficient_balance"}
    summary = await _summary(client, host)
    assert (summary["available"], summary["held"], summary["pending"]) == (0, balance, 1)
    state = await ledger_state()
    assert state.balanced, state.problems


async def test_a_payout_below_the_minimum_is_422_a_fee_goes_to_revenue_and_a_rejection_returns_it(
    client: httpx.AsyncClient, user_factory, migrated, app
) -> None:
    host = await user_factory("feehost", ["host"])
    buyer = await user_factory("buyer")
    admin = await user_factory("admin", ["admin"])
    await _settled_host(client, migrated, host, buyer, price=20_000)
    method = await _method(
        client, host, kind="bank", accountNo="6222 0212 3456 7890 123", bankName="中国工商银行"
    )
    available = (await _summary(client, host))["available"]
    # The operator's rules for this test: ¥10 minimum, a 1 % fee (HOST_PAYOUT_MIN/_FEE_BP).
    original = app.state.settings
    app.state.settings = msgspec.structs.replace(
        original, host_payout_min=1_000, host_payout_fee_bp=100
    )
    try:
        small = await _withdraw(client, host, 999, method["id"])
        assert (small.status_code, problem_code(small)) == (422, "withdrawal_too_small")
        assert small.json()["minimum"] == 1_000
        first = (await _withdraw(client, host, 5_000, method["id"])).json()
        second = (await _withdraw(client, host, 3_000, method["id"])).json()
    finally:
        app.state.settings = original
    assert (first["fee"], first["payout"]) == (50, 4_950)
    assert first["destination"].startswith("中国工商银行 **** 0123")
    paid = await client.post(f"/api/admin/payouts/{first['id']}/approve", headers=admin.headers)
    assert paid.status_code == 200
    no_reason = await client.post(
        f"/api/admin/payouts/{second['id']}/reject", json={"reason": ""}, headers=admin.headers
    )
    assert no_reason.status_code == 400
    rejected = await client.post(
        f"/api/admin/payouts/{second['id']}/reject",
        json={"reason": "户名与实名认证不一致"},
        headers=admin.headers,
    )
    assert rejected.json()["status"] == "rejected"
    summary = await _summary(client, host)
    assert (summary["available"], summary["held"], summary["paidOut"]) == (
        available - 5_000,
        0,
        5_000,
    )
    history = (await client.get("/api/host/payouts", headers=host.headers)).json()["items"]
    assert [(p["status"], p["decisionReason"]) for p in history] == [
        ("rejected", "户名与实名认证不一致"),
        ("paid", ""),
    ]
    async with db.connection() as conn:
        revenue = await entries_of_kind(conn, "revenue")
    assert revenue == 20_000 * migrated.platform_fee_bp // 10_000 + 50
    assert [amount for _, amount, _ in await _sandbox_payouts()] == [4_950]
    state = await ledger_state()
    assert state.balanced, state.problems


async def test_payout_methods_are_validated_masked_and_only_the_hosts_own(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("methodhost", ["host"])
    other = await user_factory("otherhost", ["host"])
    viewer = await user_factory("viewer")
    for body, field in (
        ({**ALIPAY, "accountNo": "12345"}, "accountNo"),
        ({**ALIPAY, "accountName": "   "}, "accountName"),
        ({**ALIPAY, "bankName": "招商银行"}, "bankName"),
        ({"kind": "bank", "accountName": "李雷", "accountNo": "6222021234"}, "accountNo"),
        ({"kind": "bank", "accountName": "李雷", "accountNo": "6222021234567890"}, "bankName"),
    ):
        refused = await client.post("/api/host/payout-methods", json=body, headers=host.headers)
        assert (refused.status_code, refused.json().get("field")) == (400, field), body
    card = await _method(
        client,
        host,
        kind="bank",
        accountName="李雷",
        accountNo="6222 0212 3456 7890",
        bankName="招商银行",
    )
    mail = await _method(client, host, accountNo="lilei@example.com")
    listed = await client.get("/api/host/payout-methods", headers=host.headers)
    assert "6222021234567890" not in listed.text and "lilei@" not in listed.text
    assert [(m["accountNo"], m["accountName"]) for m in listed.json()] == [
        ("**** 7890", "李**"),
        ("li***@example.com", "张**"),
    ]
    assert card["label"] == "招商银行 **** 7890 · 李**"

    assert (
        await client.delete(f"/api/host/payout-methods/{card['id']}", headers=other.headers)
    ).status_code == 404
    used = await _withdraw(client, other, 1_000, card["id"])
    assert (used.status_code, problem_code(used)) == (404, "not_found")
    assert (await client.get("/api/host/payouts", headers=viewer.headers)).status_code == 403
    # Nothing settled yet: nothing to withdraw.
    empty = await _withdraw(client, host, 1_000, mail["id"])
    assert (empty.status_code, problem_code(empty)) == (409, "insufficient_balance")
    removed = await client.delete(f"/api/host/payout-methods/{mail['id']}", headers=host.headers)
    assert removed.status_code == 204
    gone = await _withdraw(client, host, 1_000, mail["id"])
    assert gone.status_code == 404
    assert [
        m["id"] for m in (await client.get("/api/host/payout-methods", headers=host.headers)).json()
    ] == [card["id"]]
