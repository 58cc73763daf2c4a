"""The operator's money queue and decisions: distributors' withdrawals and hosts' payouts wait
side by side with what each requester has; approving or rejecting (with a reason, which the
requester sees) writes the operator audit with the status and amounts before and after, in the
decision's transaction."""

from __future__ import annotations

import httpx

from tests.admin.money_helpers import actions, complete, fund_wallet, paid_order, product_sku
from tests.distribution.helpers import become, configure
from tests.support import ledger_state, problem_code

ALIPAY = {"kind": "alipay", "accountName": "张三丰", "accountNo": "13912345678"}


async def test_withdrawals_and_payouts_are_queued_decided_with_reasons_and_audited(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    await configure(client, admin, withdrawalFeeBp=100)
    dist = await user_factory("xiaomei", ["distributor"])
    await become(client, dist)
    await fund_wallet(dist.id, 10_000)
    host = await user_factory("shop", ["host"])
    buyer = await user_factory("buyer")
    order = await paid_order(client, buyer, await product_sku(client, host, 20_000))
    await complete(client, admin, host, buyer, order["id"])

    ask = "/api/distributors/me/withdrawals"
    first = (await client.post(ask, json={"amount": 3_000}, headers=dist.headers)).json()
    second = (await client.post(ask, json={"amount": 2_000}, headers=dist.headers)).json()
    method = (
        await client.post("/api/host/payout-methods", json=ALIPAY, headers=host.headers)
    ).json()
    payout = (
        await client.post(
            "/api/host/payouts",
            json={"amount": 5_000, "methodId": method["id"], "note": "月结"},
            headers=host.headers,
        )
    ).json()

    queue = await client.get("/api/admin/money/queue", headers=admin.headers)
    assert queue.status_code == 200, queue.text
    body = queue.json()
    assert (body["pendingCount"], body["pendingAmount"]) == (3, 10_000)
    pending = {(item["kind"], item["id"]): item for item in body["pending"]}
    assert [(i["kind"], i["id"]) for i in body["pending"]] == [
        ("withdrawal", first["id"]),
        ("withdrawal", second["id"]),
        ("payout", payout["id"]),
    ]
    w = pending[("withdrawal", first["id"])]
    assert (w["username"], w["amount"], w["fee"], w["payout"]) == ("xiaomei", 3_000, 30, 2_970)
    assert (w["available"], w["held"], w["destination"]) == (5_000, 5_000, "")
    p = pending[("payout", payout["id"])]
    assert p["destination"].startswith("支付宝 139****5678")
    assert "13912345678" not in queue.text
    assert (p["note"], p["held"]) == ("月结", 5_000)

    # Approve one withdrawal; a rejection needs a reason, and the distributor sees it.
    base = "/api/admin/withdrawals"
    approved = await client.post(f"{base}/{first['id']}/approve", headers=admin.headers)
    assert approved.json()["status"] == "paid", approved.text
    for body_ in (None, {}, {"reason": "   "}):
        refused = await client.post(
            f"{base}/{second['id']}/reject", json=body_, headers=admin.headers
        )
        assert (refused.status_code, problem_code(refused)) == (400, "validation_error")
    rejected = await client.post(
        f"{base}/{second['id']}/reject", json={"reason": "实名信息不一致"}, headers=admin.headers
    )
    assert rejected.json()["decisionReason"] == "实名信息不一致", rejected.text
    seen = (await client.get(ask, headers=dist.headers)).json()["items"]
    assert [(w["status"], w["decisionReason"]) for w in seen] == [
        ("rejected", "实名信息不一致"),
        ("paid", ""),
    ]
    decisions = await actions("withdrawal.")
    assert [(a["action"], a["target_id"], a["actor_id"]) for a in decisions] == [
        ("withdrawal.approve", first["id"], admin.id),
        ("withdrawal.reject", second["id"], admin.id),
    ]
    assert decisions[0]["before"] == {"status": "pending", "amount": 3_000, "fee": 30}
    assert decisions[0]["after"] == {"status": "paid", "amount": 3_000, "fee": 30}
    assert (decisions[1]["after"]["status"], decisions[1]["reason"]) == (
        "rejected",
        "实名信息不一致",
    )

    blank = await client.post(
        f"/api/admin/payouts/{payout['id']}/reject", json={"reason": "  "}, headers=admin.headers
    )
    assert blank.status_code == 400
    refused = await client.post(
        f"/api/admin/payouts/{payout['id']}/reject",
        json={"reason": "账户异常"},
        headers=admin.headers,
    )
    assert refused.status_code == 200, refused.text
    [audited] = await actions("payout.")
    assert (audited["action"], audited["target_kind"], audited["reason"]) == (
        "payout.reject",
        "payout",
        "账户异常",
    )
    assert audited["before"] == {"status": "pending", "amount": 5_000, "fee": 0}

    after = (await client.get("/api/admin/money/queue", headers=admin.headers)).json()
    assert (after["pending"], after["pendingCount"]) == ([], 0)
    assert [(r["kind"], r["status"], r["decisionReason"]) for r in after["recent"][:1]] == [
        ("payout", "rejected", "账户异常")
    ]
    assert {(r["kind"], r["id"]) for r in after["recent"]} == {
        ("withdrawal", first["id"]),
        ("withdrawal", second["id"]),
        ("payout", payout["id"]),
    }
    assert all(r["decidedBy"] == "admin" for r in after["recent"])
    state = await ledger_state()
    assert state.balanced, state.problems


async def test_a_failed_decision_leaves_no_audit_row(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    dist = await user_factory("xiaomei", ["distributor"])
    await become(client, dist)
    await fund_wallet(dist.id, 1_000)
    asked = await client.post(
        "/api/distributors/me/withdrawals", json={"amount": 500}, headers=dist.headers
    )
    wid = asked.json()["id"]
    await client.post(f"/api/admin/withdrawals/{wid}/approve", headers=admin.headers)
    again = await client.post(f"/api/admin/withdrawals/{wid}/approve", headers=admin.headers)
    assert (again.status_code, problem_code(again)) == (409, "illegal_transition")
    assert [a["action"] for a in await actions("withdrawal.")] == ["withdrawal.approve"]
