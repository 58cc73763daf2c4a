"""A real `livecommerce worker` killed (SIGKILL and SIGTERM, at random points) while it settles
1,000 orders: every order settles exactly once and the ledger still sums to zero.

SIGTERM: arq cancels the running jobs and puts them back. SIGKILL: the jobs in flight keep
their arq in-progress key until job_timeout + 10 s, so they are finished by the cron sweeper
(`sweep_received_orders`, once a minute) instead: this test waits for it too.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
import uuid
from pathlib import Path

import httpx

from livecommerce.infra import db
from livecommerce.settings import Settings
from tests import support
from tests.resilience.invariants import (
    commission_problems,
    fmt,
    ledger_problems,
    settlement_problems,
)
from tests.resilience.processes import app_env, wait_until, worker
from tests.support import create_product

ORDERS = 1_000
KILLS = 12
PRICE = 1_999


async def _top_up(client: httpx.AsyncClient, buyer: support.TestUser, amount: int) -> None:
    started = await client.post("/api/me/wallet/topup", json={"amount": amount}, headers=buyer.headers)
    assert started.status_code == 201, started.text
    assert (await client.post(started.json()["payUrl"] + "/complete")).json()["callback"] == "applied"


async def _received_orders(client: httpx.AsyncClient, host: support.TestUser, buyers: list[support.TestUser], sku_id: int) -> list[int]:
    """Orders placed, paid from the wallet, shipped and confirmed through the API: each enqueued its `complete_order` job."""
    gate = asyncio.Semaphore(40)

    async def one(buyer: support.TestUser) -> int:
        async with gate:
            placed = await client.post("/api/orders", json={"items": [{"skuId": sku_id, "quantity": 1}]},
                                       headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex})
            assert placed.status_code == 201, placed.text
            order_id = placed.json()["id"]
            paid = await client.post(f"/api/orders/{order_id}/pay", json={"method": "wallet"}, headers=buyer.headers)
            assert paid.status_code == 200, paid.text
            shipped = await client.post(f"/api/orders/{order_id}/ship", json={"trackingNo": f"SF{order_id}"}, headers=host.headers)
            assert shipped.status_code == 200, shipped.text
            confirmed = await client.post(f"/api/orders/{order_id}/confirm", headers=buyer.headers)
            assert confirmed.status_code == 200, confirmed.text
            return order_id

    return await asyncio.gather(*(one(buyers[n % len(buyers)]) for n in range(ORDERS)))


async def _completed(order_ids: list[int]) -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT count(*) FROM orders WHERE id = ANY($1::int[]) AND status = 'completed'", order_ids)


async def test_worker_killed_at_random_points_settles_every_order_exactly_once(
    client: httpx.AsyncClient, user_factory, app, migrated: Settings, figure, tmp_path: Path,
) -> None:
    seed = int(os.environ.get("RESILIENCE_SEED", time.time()))
    rng = random.Random(seed)
    host = await user_factory("host", ["host"])
    buyers = [await user_factory(f"buyer{n}") for n in range(10)]
    sku_id = (await create_product(client, host, price=PRICE, stock=ORDERS))["skus"][0]["id"]
    await asyncio.gather(*(_top_up(client, b, PRICE * (ORDERS // len(buyers) + 1)) for b in buyers))
    order_ids = await _received_orders(client, host, buyers, sku_id)

    # The after-sales window closes now: make the orders and their deferred jobs due.
    async with db.connection() as conn:
        await conn.execute("UPDATE orders SET after_sales_until = now() - interval '1 second' WHERE id = ANY($1::int[])", order_ids)
    redis = app.state.redis
    now_ms = int(time.time() * 1000)
    due = await redis.zadd("arq:queue", {f"complete:{oid}": now_ms for oid in order_ids}, xx=True, ch=True)
    assert due == ORDERS, f"{due} complete_order jobs were queued for {ORDERS} confirmed orders"

    env = app_env(migrated.database_url or "", migrated.redis_url or "")
    kills: list[tuple[str, int]] = []
    child = worker(env, tmp_path / "worker.log")
    try:
        for n in range(KILLS):
            child.start()
            before = await _completed(order_ids)
            if before == ORDERS:
                break
            # Kill mid-settlement: once this worker has settled something, after a random moment more.
            await wait_until(lambda b=before: _progressed(order_ids, b), timeout=60, every=0.02)
            await asyncio.sleep(rng.uniform(0, 0.4))
            sig = signal.SIGKILL if n % 2 == 0 else signal.SIGTERM
            settled_at_kill = await _completed(order_ids)
            child.signal(sig)
            await asyncio.to_thread(child.wait, 30)
            kills.append((sig.name, settled_at_kill))
        if not child.running:
            child.start()
        # What SIGKILL left in flight is settled by the sweeper within a minute (or arq after its timeout).
        # A bound, not a speed claim: past arq's own retry (job_timeout + 10 s) even on a loaded machine.
        waited = await wait_until(lambda: _all_done(order_ids), timeout=420, every=0.5)
    finally:
        child.stop()

    async with db.connection() as conn:
        settled, duplicates, problems = await settlement_problems(conn, order_ids)
        problems += await ledger_problems(conn)
        problems += await commission_problems(conn, order_ids)
        escrow = await conn.fetchval(
            "SELECT balance FROM accounts WHERE user_id = $1 AND kind = 'escrow'", host.id
        )
        receivable = await conn.fetchval(
            "SELECT balance FROM accounts WHERE user_id = $1 AND kind = 'receivable'", host.id
        )
    fee = PRICE * migrated.platform_fee_bp // 10_000
    mid = sum(1 for _, at in kills if 0 < at < ORDERS)
    sigkills = sum(1 for name, _ in kills if name == "SIGKILL")
    figure(
        f"{len(kills)} kills ({sigkills} SIGKILL, {len(kills) - sigkills} SIGTERM, {mid} mid-settlement): "
        f"{fmt(settled)}/{fmt(ORDERS)} settled, {duplicates} duplicate, ledger sum 0: {not problems}, "
        f"tail settled in {waited:.0f}s after the last kill (seed {seed})"
    )
    assert len(kills) >= 10 and mid >= 10, f"only {mid} kills landed mid-settlement: {kills}"
    assert not problems, "\n".join(problems)
    assert (settled, duplicates) == (ORDERS, 0)
    assert (escrow, receivable) == (0, ORDERS * (PRICE - fee))


async def _progressed(order_ids: list[int], before: int) -> bool:
    return await _completed(order_ids) > before


async def _all_done(order_ids: list[int]) -> bool:
    return await _completed(order_ids) == len(order_ids)
