"""A refund granted by an operator after the order completed (a later dispute): the buyer is paid
back from the host's receivable, the platform gives back its fee on the refunded part, and the
commissions already in wallets are reversed pro rata by the clawback policy. Exact fen.

The order: 10,000 fen through leaf (10%: 1,000) recruited by root (5%: 500), platform fee 5%
(500): the host's receivable is 8,000. Leaf has withdrawn 800, so its wallet holds 200. A dispute
refund of 5,000 takes back 500 of leaf's and 250 of root's commissions and 250 of the fee."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from livecommerce.domains.distribution import jobs as distribution_jobs
from livecommerce.infra import db
from livecommerce.worker.settings import job_context
from tests.distribution.helpers import (
    chain,
    commissions_of,
    configure,
    deliver,
    ledger_checks,
    share,
    visit,
)
from tests.support import (
    TestUser,
    create_product,
    pay_through_sandbox,
    place_order,
    problem_code,
)

PRICE = 10_000


async def _completed_order(
    client: httpx.AsyncClient, ctx: dict[str, Any], people: dict[str, Any], sku: int
) -> int:
    """An order of one unit bought by the bound buyer, paid, received, completed by the admin
    and its commissions settled into wallets."""
    buyer, host, admin = people["buyer"], people["host"], people["admin"]
    placed = await place_order(client, buyer, sku)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    await pay_through_sandbox(client, buyer, order_id)
    await deliver(client, host, buyer, order_id)
    completed = await client.post(f"/api/orders/{order_id}/complete", headers=admin.headers)
    assert completed.json()["status"] == "completed", completed.text
    assert await distribution_jobs.settle_due_commissions(ctx) == 2
    return order_id


async def _setup(
    client: httpx.AsyncClient, user_factory, migrated, policy: str
) -> tuple[dict[str, Any], int, int]:
    admin = await user_factory("admin", ["admin"])
    await configure(client, admin, clawbackPolicy=policy)
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    (root, _), (leaf, _) = await chain(client, user_factory, ["root", "leaf"])
    product = await create_product(client, host, price=PRICE, stock=10)
    await visit(client, (await share(client, leaf, product["id"]))["code"], buyer)
    people = {"admin": admin, "host": host, "buyer": buyer, "root": root, "leaf": leaf}
    ctx = job_context(migrated)
    order_id = await _completed_order(client, ctx, people, product["skus"][0]["id"])
    withdrawn = await client.post(
        "/api/distributors/me/withdrawals", json={"amount": 800}, headers=leaf.headers
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert await _receivable(client, host) == PRICE - 500 - 1500
    return people, order_id, product["skus"][0]["id"]


async def _receivable(client: httpx.AsyncClient, host: TestUser) -> int:
    return int((await client.get("/api/me/wallet", headers=host.headers)).json()["receivable"])


async def _figures(client: httpx.AsyncClient, who: TestUser) -> tuple[int, int]:
    me = (await client.get("/api/distributors/me", headers=who.headers)).json()
    return me["available"], me["debt"]


async def _dispute(
    client: httpx.AsyncClient,
    admin: TestUser,
    order_id: int,
    key: str | None = None,
    **body: Any,
) -> httpx.Response:
    headers = {**admin.headers, "Idempotency-Key": key or uuid.uuid4().hex}
    return await client.post(
        f"/api/admin/orders/{order_id}/refunds",
        json={"reason": "the buyer won the dispute", **body},
        headers=headers,
    )


async def _negative_accounts() -> set[tuple[int, str]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT user_id, kind FROM accounts WHERE NOT derived_balance AND balance < 0"
        )
    return {(r["user_id"], r["kind"]) for r in rows}


@pytest.mark.parametrize(
    ("policy", "leaf_after", "host_after"),
    [
        # leaf owes 500 and holds 200: all of it taken (wallet -300), the host gets 750 back
        ("allow_negative", (-300, 0), PRICE - 2000 - 5000 + 250 + 750),
        # 200 taken, 300 forgiven: the host gets 200 + 250 back
        ("cap_at_balance", (0, 0), PRICE - 2000 - 5000 + 250 + 450),
        # 200 taken, 300 owed: the host gets 750 back, the debt is repaid from what leaf earns next
        ("carry_debt", (0, 300), PRICE - 2000 - 5000 + 250 + 750),
    ],
)
async def test_a_dispute_refund_claws_back_settled_commissions_by_the_policy(
    client: httpx.AsyncClient,
    user_factory,
    migrated,
    policy: str,
    leaf_after: tuple[int, int],
    host_after: int,
) -> None:
    people, order_id, sku = await _setup(client, user_factory, migrated, policy)
    admin, host, leaf, root = people["admin"], people["host"], people["leaf"], people["root"]
    assert (await _figures(client, leaf), await _figures(client, root)) == ((200, 0), (500, 0))

    refunded = await _dispute(client, admin, order_id, amount=5000)
    assert refunded.status_code == 201, refunded.text
    order = refunded.json()
    assert (order["status"], order["refundedAmount"]) == ("completed", 5000)
    dispute = order["refunds"][-1]
    assert (dispute["status"], dispute["amount"], dispute["reasonCode"]) == (
        "approved",
        5000,
        "dispute",
    )
    assert dispute["decisionReason"] == "the buyer won the dispute"
    assert await commissions_of(order_id) == [
        (leaf.id, 1, 1000, 500, "settled"),
        (root.id, 2, 500, 250, "settled"),
    ]
    assert await _figures(client, leaf) == leaf_after
    assert await _figures(client, root) == (250, 0)
    assert await _receivable(client, host) == host_after
    buyer_view = await client.get(f"/api/orders/{order_id}", headers=people["buyer"].headers)
    assert buyer_view.json()["refundedAmount"] == 5000
    negative = {
        "allow_negative": {(leaf.id, "wallet")},
        "cap_at_balance": set(),
        "carry_debt": {(leaf.id, "debt")},
    }[policy]
    assert await _negative_accounts() == negative
    async with db.connection() as conn:  # audited: who decided, when, why
        row = await conn.fetchrow(
            "SELECT decided_by_id, decided_at IS NOT NULL AS decided, decision_reason"
            " FROM refunds WHERE order_id = $1",
            order_id,
        )
    assert (row["decided_by_id"], row["decided"]) == (admin.id, True)
    assert await ledger_checks() == (0, 0)

    if policy == "carry_debt":
        # leaf's next 1,000 fen repay the 300 first: 700 reach the wallet
        await _completed_order(client, job_context(migrated), people, sku)
        assert await _figures(client, leaf) == (700, 0)
        assert await _negative_accounts() == set()
        assert await ledger_checks() == (0, 0)


async def test_the_same_dispute_refund_sent_twice_refunds_once(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    people, order_id, _ = await _setup(client, user_factory, migrated, "carry_debt")
    admin, host = people["admin"], people["host"]
    first, second = await asyncio.gather(
        _dispute(client, admin, order_id, key="dispute-1", amount=5000),
        _dispute(client, admin, order_id, key="dispute-1", amount=5000),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 201]
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in (first, second)) == [
        "",
        "true",
    ]
    assert first.json() == second.json()
    again = await _dispute(client, admin, order_id, key="dispute-1", amount=5000)
    assert (again.status_code, again.json()["refundedAmount"]) == (201, 5000)
    reused = await _dispute(client, admin, order_id, key="dispute-1", amount=4000)
    assert (reused.status_code, problem_code(reused)) == (422, "idempotency_key_reused")
    async with db.connection() as conn:
        refunds = await conn.fetchval("SELECT count(*) FROM refunds WHERE order_id = $1", order_id)
        keys = await conn.fetchval(
            "SELECT count(*) FROM ledger_transactions WHERE business_key LIKE 'refund:dispute:%'"
        )
    assert (refunds, keys) == (1, 1)
    assert await _receivable(client, host) == PRICE - 2000 - 5000 + 250 + 750

    # What may not be: more than is left, no reason, no key, not an admin, not completed yet.
    too_much = await _dispute(client, admin, order_id, amount=5001)
    assert (too_much.status_code, problem_code(too_much), too_much.json()["refundable"]) == (
        409,
        "refund_too_large",
        5000,
    )
    for reason in ("", "   "):
        unexplained = await _dispute(client, admin, order_id, amount=10, reason=reason)
        assert (unexplained.status_code, problem_code(unexplained)) == (400, "validation_error")
    keyless = await client.post(
        f"/api/admin/orders/{order_id}/refunds",
        json={"amount": 10, "reason": "x"},
        headers=admin.headers,
    )
    assert (keyless.status_code, problem_code(keyless)) == (400, "idempotency_key_required")
    by_host = await _dispute(client, host, order_id, amount=10)
    assert by_host.status_code == 403
    open_order = await place_order(client, people["buyer"], (await _sku(client, host)))
    await pay_through_sandbox(client, people["buyer"], open_order.json()["id"])
    early = await _dispute(client, admin, open_order.json()["id"], amount=10)
    assert (early.status_code, problem_code(early)) == (409, "illegal_transition")

    # The rest: the order is refunded in full and every commission is worth nothing.
    rest = await _dispute(client, admin, order_id, amount=5000)
    assert (rest.json()["status"], rest.json()["refundedAmount"]) == ("refunded", PRICE)
    leaf, root = people["leaf"], people["root"]
    assert await commissions_of(order_id) == [
        (leaf.id, 1, 1000, 1000, "settled"),
        (root.id, 2, 500, 500, "settled"),
    ]
    assert await ledger_checks() == (0, 0)


async def _sku(client: httpx.AsyncClient, host: TestUser) -> int:
    return (await create_product(client, host, price=300, title="Cup"))["skus"][0]["id"]


async def test_a_host_without_the_money_is_fronted_by_the_platform(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    """The host paid all of the receivable out before the dispute: it goes negative (the
    platform fronts the buyer's refund) and nothing can be paid out until takings refill it."""
    people, order_id, sku = await _setup(client, user_factory, migrated, "carry_debt")
    admin, host = people["admin"], people["host"]
    method = await client.post(
        "/api/host/payout-methods",
        json={"kind": "alipay", "accountName": "张三", "accountNo": "13912345678"},
        headers=host.headers,
    )
    payout = await client.post(
        "/api/host/payouts",
        json={"amount": 8000, "methodId": method.json()["id"]},
        headers=host.headers,
    )
    assert payout.status_code == 201, payout.text
    assert await _receivable(client, host) == 0
    refunded = await _dispute(client, admin, order_id, amount=5000)
    assert refunded.status_code == 201, refunded.text
    assert await _receivable(client, host) == -5000 + 250 + 750
    leaf = people["leaf"]
    assert await _negative_accounts() == {(host.id, "receivable"), (leaf.id, "debt")}
    more = await client.post(
        "/api/host/payouts",
        json={"amount": 100, "methodId": method.json()["id"]},
        headers=host.headers,
    )
    assert (more.status_code, problem_code(more)) == (409, "insufficient_balance")
    assert await ledger_checks() == (0, 0)
    # The next order's takings (8,000 net of fee and commissions) make it whole first.
    await _completed_order(client, job_context(migrated), people, sku)
    assert await _receivable(client, host) == -4000 + 8000
