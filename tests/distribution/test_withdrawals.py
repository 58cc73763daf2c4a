"""Withdrawals: held while pending, paid out or released, never more than the balance even when
requested concurrently; and clawbacks of settled commissions per policy."""

from __future__ import annotations

import asyncio

import httpx

from livecommerce.domains import ledger
from livecommerce.domains.distribution import commissions, settlement
from livecommerce.domains.ledger import Kind
from livecommerce.infra import db
from tests.distribution.helpers import become, configure, ledger_checks
from tests.support import problem_code


async def _fund(user_id: int, amount: int) -> None:
    """Commission income stands in: the clearing account pays the wallet."""
    async with db.transaction() as tx:
        conn = tx.conn
        clearing = await ledger.account_id(conn, None, Kind.COMMISSION)
        wallet = await ledger.account_id(conn, user_id, Kind.WALLET)
        await ledger.post(
            conn,
            f"test-fund:{user_id}:{amount}",
            "commission",
            [(clearing, -amount), (wallet, amount)],
        )


async def _balances(user_id: int) -> dict[str, int]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT kind, balance FROM accounts WHERE user_id = $1", user_id)
    return {row["kind"]: int(row["balance"]) for row in rows}


async def test_twenty_concurrent_withdrawals_never_overdraw(
    client: httpx.AsyncClient, user_factory
) -> None:
    distributor = await user_factory("dist", ["distributor"])
    await become(client, distributor)
    await _fund(distributor.id, 10_000)
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/distributors/me/withdrawals",
                json={"amount": 3000},
                headers=distributor.headers,
            )
            for _ in range(20)
        )
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 3 + [409] * 17
    assert {problem_code(r) for r in responses if r.status_code == 409} == {"insufficient_balance"}
    assert await _balances(distributor.id) == {"wallet": 1000, "held": 9000}
    assert await ledger_checks() == (0, 0)


async def test_approval_pays_out_minus_the_fee_and_rejection_releases(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    await configure(client, admin, withdrawalMin=1000, withdrawalFeeBp=100)
    distributor = await user_factory("dist", ["distributor"])
    await become(client, distributor)
    await _fund(distributor.id, 10_000)
    small = await client.post(
        "/api/distributors/me/withdrawals", json={"amount": 999}, headers=distributor.headers
    )
    assert (small.status_code, problem_code(small)) == (422, "withdrawal_too_small")
    first = (
        await client.post(
            "/api/distributors/me/withdrawals", json={"amount": 5000}, headers=distributor.headers
        )
    ).json()
    second = (
        await client.post(
            "/api/distributors/me/withdrawals", json={"amount": 2000}, headers=distributor.headers
        )
    ).json()
    assert (first["fee"], first["payout"], first["status"]) == (50, 4950, "pending")
    assert (
        await client.post(
            f"/api/admin/withdrawals/{first['id']}/approve", headers=distributor.headers
        )
    ).status_code == 403
    paid = (
        await client.post(f"/api/admin/withdrawals/{first['id']}/approve", headers=admin.headers)
    ).json()
    assert paid["status"] == "paid" and paid["providerRef"].startswith("sbx_payout_")
    twice = await client.post(
        f"/api/admin/withdrawals/{first['id']}/reject", json={"reason": "x"}, headers=admin.headers
    )
    assert (twice.status_code, problem_code(twice)) == (409, "illegal_transition")
    await client.post(
        f"/api/admin/withdrawals/{second['id']}/reject", json={"reason": "x"}, headers=admin.headers
    )
    assert await _balances(distributor.id) == {"wallet": 5000, "held": 0}
    me = (await client.get("/api/distributors/me", headers=distributor.headers)).json()
    assert (me["withdrawn"], me["available"], me["held"]) == (5000, 5000, 0)
    history = (
        await client.get("/api/distributors/me/withdrawals", headers=distributor.headers)
    ).json()["items"]
    assert [w["status"] for w in history] == ["rejected", "paid"]
    async with db.connection() as conn:
        revenue = await conn.fetchval(
            "SELECT SUM(e.amount) FROM ledger_entries e JOIN accounts a ON a.id = e.account_id "
            "WHERE a.kind = 'revenue'"
        )
    assert revenue == 50
    assert await ledger_checks() == (0, 0)


async def _settled_commission(
    host_id: int, buyer_id: int, distributor_id: int, amount: int, status: str = "settled"
) -> dict:
    """A settled (or due) commission of `amount` on a 10x order item, as if the order had completed
    (and been settled)."""
    async with db.transaction() as tx:
        conn = tx.conn
        product = await conn.fetchval(
            "INSERT INTO products (host_id, title, description, images, on_shelf, created_at, "
            "updated_at)"
            " VALUES ($1, 'T', '', '{}', true, now(), now()) RETURNING id",
            host_id,
        )
        sku = await conn.fetchval(
            "INSERT INTO skus (product_id, name, price, stock, sold) VALUES ($1, 's', $2, 1, 0) "
            "RETURNING id",
            product,
            amount * 10,
        )
        order = await conn.fetchrow(
            "INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount, "
            "pay_amount, refunded_amount, payment_deadline, created_at)"
            " VALUES ($1, $2, 'completed', $3, 0, $3, 0, now(), now()) RETURNING *",
            buyer_id,
            host_id,
            amount * 10,
        )
        item = await conn.fetchval(
            "INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, unit_price, "
            "quantity, amount, discount, paid_amount, refunded_amount)"
            " VALUES ($1, $2, $3, 'T', 's', $4, 1, $4, 0, $4, 0) RETURNING id",
            order["id"],
            product,
            sku,
            amount * 10,
        )
        await conn.execute(
            "INSERT INTO commissions (order_id, order_item_id, level, distributor_id, buyer_id, "
            "base_amount, rate_bp, amount, reversed_amount, status, reversal_reason, created_at, "
            "settled_at)"
            " VALUES ($1, $2, 1, $3, $4, $5, 1000, $6, 0, $7, '', now(), now())",
            order["id"],
            item,
            distributor_id,
            buyer_id,
            amount * 10,
            amount,
            status,
        )
        if status == "settled":
            await _fund_in(conn, distributor_id, amount)
    return {"order": order, "item": item}


async def _fund_in(conn, user_id: int, amount: int) -> None:
    clearing = await ledger.account_id(conn, None, Kind.COMMISSION)
    wallet = await ledger.account_id(conn, user_id, Kind.WALLET)
    await ledger.post(
        conn,
        f"test-settle:{user_id}:{amount}",
        "commission",
        [(clearing, -amount), (wallet, amount)],
    )


async def _refund_all(order: dict, item: int, amount: int) -> None:
    """An after-sales refund of a completed order (e.g. decided by an operator) reaching the
    hook."""
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute(
            "UPDATE order_items SET refunded_amount = paid_amount WHERE id = $1", item
        )
        updated = await conn.fetchrow(
            "UPDATE orders SET refunded_amount = pay_amount WHERE id = $1 RETURNING *", order["id"]
        )
        await commissions.reverse_for_refund(tx, updated, {item: amount * 10})


async def test_a_settled_commission_is_clawed_back_per_policy(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    admin = await user_factory("admin", ["admin"])
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    results = {}
    for policy in ("allow_negative", "cap_at_balance", "carry_debt"):
        await configure(client, admin, clawbackPolicy=policy)
        distributor = await user_factory(f"d_{policy}", ["distributor"])
        made = await _settled_commission(host.id, buyer.id, distributor.id, 1000)
        async with db.transaction() as tx:  # spent 700 of the 1000 earned
            conn = tx.conn
            wallet = await ledger.account_id(conn, distributor.id, Kind.WALLET)
            gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
            await ledger.post(
                conn, f"spend:{distributor.id}", "spend", [(wallet, -700), (gateway, 700)]
            )
        await _refund_all(made["order"], made["item"], 1000)
        results[policy] = await _balances(distributor.id)
    assert results["allow_negative"] == {"wallet": -700}
    assert results["cap_at_balance"] == {"wallet": 0}
    assert results["carry_debt"] == {"wallet": 0, "debt": -700}
    async with db.connection() as conn:
        receivable = await conn.fetchval(
            "SELECT balance FROM accounts WHERE user_id = $1 AND kind = 'receivable'", host.id
        )
        reasons = [
            r["reversal_reason"]
            for r in await conn.fetch("SELECT reversal_reason FROM commissions ORDER BY id")
        ]
    assert (
        receivable == 1000 + 300 + 1000
    )  # what was clawed or booked as debt goes back to the host
    assert "forgiven" in reasons[1] and "debt" in reasons[2]
    # The debt is repaid first from the next commissions the batch job settles.
    debtor = await conn_user("d_carry_debt")
    await _settled_commission(host.id, buyer.id, debtor, 500, status="due")
    await _settled_commission(host.id, buyer.id, debtor, 400, status="due")
    assert await settlement.settle_due() == 2
    assert await _balances(debtor) == {"wallet": 200, "debt": 0}
    assert await ledger_checks() == (0, 0)


async def conn_user(username: str) -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval("SELECT id FROM users WHERE username = $1", username))
