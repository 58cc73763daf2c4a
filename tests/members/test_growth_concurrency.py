"""Growth is never lost when one member pays 200 orders at once.

The HTTP run pays through the wallet with real concurrent clients. Payments to one host also
queue on the host's escrow row today, which would hide a lost update in the growth hook; so the
same 200 orders are then replayed straight through the hook, 200 transactions at once with no
other lock, and a read-modify-write version of it runs through the same harness to show that the
harness catches a lost update (it loses growth; ours does not)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from asyncpg import Record

from livecommerce.domains.members import growth
from livecommerce.infra import db
from livecommerce.infra.db import Tx
from tests.members.tiers_support import place, set_ladder, sku_of
from tests.promotions.support import fund
from tests.support import LiveServer, ledger_state

ORDERS = 200


async def _totals(host_id: int, buyer_id: int) -> tuple[int, int, int]:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT m.lifetime_spend, m.paid_orders,"
            " (SELECT count(*) FROM member_growth g WHERE g.member_id = m.id) AS movements"
            " FROM members m WHERE m.host_id = $1 AND m.user_id = $2",
            host_id,
            buyer_id,
        )
    return int(row["lifetime_spend"]), int(row["paid_orders"]), int(row["movements"])


async def _replay(orders: list[Record], hook: Callable[[Tx, Record], Awaitable[None]]) -> None:
    """The member's growth emptied, then `hook` for every order at once, one transaction each."""
    async with db.connection() as conn:
        await conn.execute("DELETE FROM member_growth")
        await conn.execute("UPDATE members SET lifetime_spend = 0, paid_orders = 0")
    start = asyncio.Event()

    async def one(order: Record) -> None:
        await start.wait()
        async with db.transaction() as tx:
            await hook(tx, order)

    tasks = [asyncio.create_task(one(order)) for order in orders]
    start.set()
    await asyncio.gather(*tasks)


async def _read_modify_write(tx: Tx, order: Record) -> None:
    """What an anchor system does: read the total, add, write it back, unlocked."""
    spent = await tx.conn.fetchval(
        "SELECT lifetime_spend FROM members WHERE host_id = $1 AND user_id = $2",
        order["host_id"],
        order["buyer_id"],
    )
    await asyncio.sleep(0.002)  # the time a real handler spends between its read and its write
    await tx.conn.execute(
        "UPDATE members SET lifetime_spend = $3 WHERE host_id = $1 AND user_id = $2",
        order["host_id"],
        order["buyer_id"],
        spent + order["pay_amount"],
    )


async def test_two_hundred_concurrent_payments_of_one_member_lose_no_growth(
    live: LiveServer, client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "month")
    sku_a, sku_b = await sku_of(client, host, 1_23, 1000), await sku_of(client, host, 4_56, 1000)
    placed: list[dict[str, Any]] = []
    for batch in range(0, ORDERS, 25):
        placed += await asyncio.gather(
            *(
                place(client, buyer, [(sku_a, 1 + i % 3), (sku_b, 1)] if i % 2 else [(sku_a, 1)])
                for i in range(batch, batch + 25)
            )
        )
    expected = sum(o["payAmount"] for o in placed)
    await fund(buyer, expected)

    # Real concurrent clients, each with its own connections, all paying at once.
    clients = [httpx.AsyncClient(base_url=live.url, timeout=60) for _ in range(8)]
    try:
        start = asyncio.Event()

        async def pay(i: int, order: dict[str, Any]) -> int:
            await start.wait()
            paid = await clients[i % len(clients)].post(
                f"/api/orders/{order['id']}/pay", json={"method": "wallet"}, headers=buyer.headers
            )
            return paid.status_code

        tasks = [asyncio.create_task(pay(i, o)) for i, o in enumerate(placed)]
        start.set()
        codes = await asyncio.gather(*tasks)
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    assert codes == [200] * ORDERS

    assert await _totals(host.id, buyer.id) == (expected, ORDERS, ORDERS)
    assert (await ledger_state()).problems == []
    async with db.connection() as conn:
        tier = await conn.fetchval("SELECT tier_code FROM members WHERE user_id = $1", buyer.id)
        orders = await conn.fetch(
            "SELECT * FROM orders WHERE buyer_id = $1 AND status = 'paid'", buyer.id
        )
    assert tier == ("gold" if expected >= 500_00 else "silver")
    assert len(orders) == ORDERS

    # The hook alone, 200 at once with nothing else serialising them: nothing lost.
    await _replay(orders, growth.on_paid)
    assert await _totals(host.id, buyer.id) == (expected, ORDERS, ORDERS)
    # The same harness catches a read-modify-write losing growth.
    await _replay(orders, _read_modify_write)
    lost_to_rmw = expected - (await _totals(host.id, buyer.id))[0]
    assert lost_to_rmw > 0
