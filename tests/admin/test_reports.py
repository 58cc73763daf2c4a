"""The operator's reports over real HTTP equal the sums of the ledger's entries and the orders'
rows, for two hosts, a refund, a settled commission, a payout paid and one held, a withdrawal
held; and payments left pending past their deadline show in the reconciliation status.

The story, exact fen (platform fee 5%, one commission level at 10%):
- host A sells 10,000 in its room to a buyer a distributor brought: 1,000 commission, completed
  (500 fee), settled into the distributor's wallet, who asks 400 out (held);
- host B sells 5,000 (paid, in escrow) and 10,000 refunded in full before shipping;
- host A is paid out 5,000 and asks 1,000 more (held)."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from livecommerce.domains.distribution import jobs as distribution_jobs
from livecommerce.worker.settings import job_context
from tests.admin.money_helpers import (
    answer_refund,
    ask_refund,
    complete,
    ledger_sum,
    paid_order,
    product_sku,
    scalar,
)
from tests.distribution.helpers import become, configure, share, visit
from tests.support import create_product, create_room, ledger_state, place_order

ALIPAY = {"kind": "alipay", "accountName": "张三丰", "accountNo": "13912345678"}


async def _story(client: httpx.AsyncClient, user_factory, migrated) -> dict:
    admin = await user_factory("admin", ["admin"])
    await configure(client, admin, levels=1, levelRatesBp=[1000])
    host_a = await user_factory("tea_house", ["host"])
    host_b = await user_factory("silk_road", ["host"])
    dist = await user_factory("xiaomei", ["distributor"])
    await become(client, dist)
    buyer_x = await user_factory("buyer_x")
    buyer_y = await user_factory("buyer_y")

    room = await create_room(client, host_a, title="今晚品茶")
    tea = await create_product(client, host_a, price=10_000)
    await visit(client, (await share(client, dist, tea["id"]))["code"], buyer_x)
    first = await paid_order(client, buyer_x, tea["skus"][0]["id"], roomId=room["id"])
    client.cookies.clear()  # the referral cookie was buyer x's: buyer y came on their own
    silk = await product_sku(client, host_b, 5_000)
    await paid_order(client, buyer_y, silk)
    refunded = await paid_order(client, buyer_y, silk, 2)
    refund = await ask_refund(client, buyer_y, refunded["id"])
    await answer_refund(client, host_b, refund["id"], "approve")

    await complete(client, admin, host_a, buyer_x, first["id"])
    assert await distribution_jobs.settle_due_commissions(job_context(migrated)) == 1
    withdrawn = await client.post(
        "/api/distributors/me/withdrawals", json={"amount": 400}, headers=dist.headers
    )
    assert withdrawn.status_code == 201, withdrawn.text
    method = await client.post("/api/host/payout-methods", json=ALIPAY, headers=host_a.headers)
    payouts = []
    for amount in (5_000, 1_000):
        asked = await client.post(
            "/api/host/payouts",
            json={"amount": amount, "methodId": method.json()["id"]},
            headers=host_a.headers,
        )
        assert asked.status_code == 201, asked.text
        payouts.append(asked.json())
    paid = await client.post(
        f"/api/admin/payouts/{payouts[0]['id']}/approve", headers=admin.headers
    )
    assert paid.status_code == 200, paid.text
    return {"admin": admin, "host_a": host_a, "host_b": host_b, "dist": dist, "room": room}


async def test_the_daily_figures_equal_the_sums_of_the_ledger_and_the_orders(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    people = await _story(client, user_factory, migrated)
    admin = people["admin"]
    # Two days, so a test run across midnight in the business zone still sums everything.
    today = (await client.get("/api/admin/reports/overview", headers=admin.headers)).json()
    start = str(date.fromisoformat(today["today"]) - timedelta(days=1))
    report = await client.get(
        f"/api/admin/reports/daily?from={start}&to={today['today']}", headers=admin.headers
    )
    assert report.status_code == 200, report.text
    body = report.json()
    assert [day["day"] for day in body["days"]] == [start, today["today"]]
    assert body["window"]["timezone"] == migrated.business_timezone
    totals = body["totals"]
    fee = 10_000 * migrated.platform_fee_bp // 10_000
    assert totals == {
        "gmv": 25_000,
        "orders": 3,
        "refunds": 10_000,
        "refundCount": 1,
        "commissionsCreated": 1_000,
        "commissionsSettled": 1_000,
        "platformFees": fee,
    }
    # The same figures, summed straight from the tables.
    assert totals["gmv"] == await scalar(
        "SELECT SUM(pay_amount) FROM orders WHERE paid_at IS NOT NULL"
    )
    assert totals["orders"] == await scalar("SELECT count(*) FROM orders WHERE paid_at IS NOT NULL")
    assert totals["refunds"] == await scalar(
        "SELECT SUM(amount) FROM refunds WHERE status = 'approved'"
    )
    assert totals["commissionsCreated"] == await scalar("SELECT SUM(amount) FROM commissions")
    assert totals["commissionsSettled"] == -await ledger_sum("commission", "commission")
    assert totals["platformFees"] == await ledger_sum("revenue")
    for name in totals:
        assert totals[name] == sum(day[name] for day in body["days"])
    state = await ledger_state()
    assert state.balanced, state.problems


async def test_pending_money_is_the_ledgers_balances_and_the_overview_counts_today(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    people = await _story(client, user_factory, migrated)
    admin = people["admin"]
    pending = (await client.get("/api/admin/reports/pending", headers=admin.headers)).json()
    fee = 10_000 * migrated.platform_fee_bp // 10_000
    assert pending == {
        "escrow": 5_000,
        "receivable": 10_000 - fee - 1_000 - 5_000 - 1_000,
        "commissionsPending": 0,
        "commissionsDue": 0,
        "withdrawalsHeld": 400,
        "payoutsHeld": 1_000,
        "wallets": 600,
        "redPackets": 0,
        "withdrawalsPending": 1,
        "payoutsPending": 1,
    }
    for field, kind in [
        ("escrow", "escrow"),
        ("receivable", "receivable"),
        ("commissionsDue", "commission"),
        ("withdrawalsHeld", "held"),
        ("payoutsHeld", "payout_held"),
        ("wallets", "wallet"),
    ]:
        assert pending[field] == await ledger_sum(kind), field
    overview = (await client.get("/api/admin/reports/overview", headers=admin.headers)).json()
    assert (overview["gmvToday"], overview["ordersToday"], overview["moneyQueue"]) == (
        25_000,
        3,
        2,
    )
    assert overview["pendingMoney"] == pending


async def test_top_hosts_rooms_and_distributors(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    people = await _story(client, user_factory, migrated)
    admin = people["admin"]

    async def top(by: str) -> list[dict]:
        response = await client.get(f"/api/admin/reports/top?by={by}", headers=admin.headers)
        assert response.status_code == 200, response.text
        return response.json()["rows"]

    hosts = await top("host")
    assert [(r["id"], r["gmv"], r["orders"], r["refunded"], r["commission"]) for r in hosts] == [
        (people["host_b"].id, 15_000, 2, 10_000, 0),
        (people["host_a"].id, 10_000, 1, 0, 1_000),
    ]
    rooms = await top("room")
    assert [(r["id"], r["name"], r["hostName"], r["gmv"]) for r in rooms] == [
        (people["room"]["id"], "今晚品茶", "Tea_House", 10_000)
    ]
    distributors = await top("distributor")
    assert [(r["id"], r["commission"], r["gmv"], r["orders"]) for r in distributors] == [
        (people["dist"].id, 1_000, 10_000, 1)
    ]
    bad = await client.get("/api/admin/reports/top?by=product", headers=admin.headers)
    assert bad.status_code == 400


async def test_a_range_is_checked(client: httpx.AsyncClient, user_factory) -> None:
    admin = await user_factory("admin", ["admin"])
    backwards = await client.get(
        "/api/admin/reports/daily?from=2026-03-02&to=2026-03-01", headers=admin.headers
    )
    assert (backwards.status_code, backwards.json()["field"]) == (400, "from")
    too_long = await client.get(
        "/api/admin/reports/daily?from=2024-01-01&to=2026-01-01", headers=admin.headers
    )
    assert (too_long.status_code, too_long.json()["field"]) == (400, "to")
    default = (await client.get("/api/admin/reports/daily", headers=admin.headers)).json()
    assert len(default["days"]) == 30


async def test_payments_pending_past_their_deadline_are_reported(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku = await product_sku(client, host, 2_000)
    fresh = await place_order(client, buyer, sku)
    stale = await place_order(client, buyer, sku)
    for order in (fresh, stale):
        started = await client.post(
            f"/api/orders/{order.json()['id']}/pay",
            json={"method": "gateway"},
            headers=buyer.headers,
        )
        assert started.status_code == 200, started.text
    topup = await client.post(
        "/api/me/wallet/topup", json={"amount": 3_000, "provider": "sandbox"}, headers=buyer.headers
    )
    assert topup.status_code == 201, topup.text
    status = (await client.get("/api/admin/reports/reconciliation", headers=admin.headers)).json()
    assert (status["pending"], status["overdueCount"], status["overdue"]) == (3, 0, [])
    await scalar(
        "UPDATE orders SET payment_deadline = now() - interval '10 minutes' WHERE id = $1"
        " RETURNING id",
        stale.json()["id"],
    )
    await scalar(
        "UPDATE payments SET created_at = now() - interval '2 days' WHERE purpose = 'topup'"
        " RETURNING id"
    )
    status = (await client.get("/api/admin/reports/reconciliation", headers=admin.headers)).json()
    assert (status["pending"], status["overdueCount"]) == (3, 2)
    assert [(p["purpose"], p["orderId"]) for p in status["overdue"]] == [
        ("topup", None),
        ("order", stale.json()["id"]),
    ]
    assert status["oldestDeadline"] == status["overdue"][0]["deadline"]
    assert isinstance(status["reconciled"], int) and isinstance(status["skipped"], dict)
    overview = (await client.get("/api/admin/reports/overview", headers=admin.headers)).json()
    assert overview["overduePayments"] == 2
