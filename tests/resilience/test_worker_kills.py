"""A real `livecommerce worker` killed (SIGKILL and SIGTERM, at random points) while it completes
1,000 orders bought through a 2-level distributor chain and its batch job settles their 2,000
commissions: every order settles exactly once, every commission is written once per (item,
level) and paid into its distributor's wallet once, and the ledger still sums to zero.

SIGTERM: arq cancels the running jobs and puts them back. SIGKILL: the jobs in flight keep
their arq in-progress key until job_timeout + 10 s, so they are finished by the cron sweeper
(`sweep_received_orders`, once a minute) instead: this test waits for it too. A killed
settle job is not retried for as long, but each restart here enqueues a fresh one (as the
worker's own cron does every 30 s), and a chunk killed before COMMIT never happened. Every
other kill is timed on the settle job (just after it committed a chunk, with more due).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
from arq.connections import ArqRedis

from bench.ledger_checks import ledger_problems
from livecommerce.infra import db
from livecommerce.settings import Settings
from tests import support
from tests.distribution import helpers as distribution
from tests.resilience.invariants import commission_problems, fmt, settlement_problems
from tests.resilience.processes import app_env, wait_until, worker
from tests.support import ADDRESS, create_product

ORDERS = 1_000
KILLS = 16  # half of them timed on order completion, half on commission settlement
SETTLE_CHUNK = (
    2  # commissions per settle transaction: many commits for a kill to land between or inside
)
BACKLOG = 40  # commissions due before a settle-timed round starts its settle job
PRICE = 1_999
RATES = (
    1_000,
    500,
)  # the default level rates (bp): level 1 the buyers' distributor, level 2 who recruited them


async def _top_up(client: httpx.AsyncClient, buyer: support.TestUser, amount: int) -> None:
    started = await client.post(
        "/api/me/wallet/topup", json={"amount": amount}, headers=buyer.headers
    )
    assert started.status_code == 201, started.text
    paid = await support.complete_on_sandbox(client, buyer, started.json()["payUrl"])
    assert paid.json()["result"] == "applied", paid.text


async def _received_orders(
    client: httpx.AsyncClient, host: support.TestUser, buyers: list[support.TestUser], sku_id: int
) -> list[int]:
    """Orders placed, paid from the wallet, shipped and confirmed through the API: each enqueued its
    `complete_order` job."""
    gate = asyncio.Semaphore(40)

    async def one(buyer: support.TestUser) -> int:
        async with gate:
            placed = await client.post(
                "/api/orders",
                json={"items": [{"skuId": sku_id, "quantity": 1}], "address": ADDRESS},
                headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            assert placed.status_code == 201, placed.text
            order_id = placed.json()["id"]
            paid = await client.post(
                f"/api/orders/{order_id}/pay", json={"method": "wallet"}, headers=buyer.headers
            )
            assert paid.status_code == 200, paid.text
            shipped = await client.post(
                f"/api/orders/{order_id}/ship",
                json={"trackingNo": f"SF{order_id}"},
                headers=host.headers,
            )
            assert shipped.status_code == 200, shipped.text
            confirmed = await client.post(f"/api/orders/{order_id}/confirm", headers=buyer.headers)
            assert confirmed.status_code == 200, confirmed.text
            return order_id

    return await asyncio.gather(*(one(buyers[n % len(buyers)]) for n in range(ORDERS)))


async def _completed(order_ids: list[int]) -> int:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT count(*) FROM orders WHERE id = ANY($1::int[]) AND status = 'completed'",
            order_ids,
        )


async def test_worker_killed_at_random_points_settles_every_order_exactly_once(
    client: httpx.AsyncClient,
    user_factory,
    app,
    migrated: Settings,
    figure,
    tmp_path: Path,
) -> None:
    seed = int(os.environ.get("RESILIENCE_SEED", time.time()))
    rng = random.Random(seed)
    host = await user_factory("host", ["host"])
    buyers = [await user_factory(f"buyer{n}") for n in range(10)]
    product = await create_product(client, host, price=PRICE, stock=ORDERS)
    sku_id = product["skus"][0]["id"]
    (root, _), (leaf, _) = await distribution.chain(
        client, user_factory, ["dist-root", "dist-leaf"]
    )
    link = await distribution.share(client, leaf, product["id"])
    for buyer in buyers:  # logged-in visits: each buyer bound to the leaf, whose parent is the root
        await distribution.visit(client, link["code"], buyer)
    await asyncio.gather(*(_top_up(client, b, PRICE * (ORDERS // len(buyers) + 1)) for b in buyers))
    order_ids = await _received_orders(client, host, buyers, sku_id)

    # The after-sales window closes now: make the orders and their deferred jobs due.
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET after_sales_until = now() - interval '1 second' WHERE id = "
            "ANY($1::int[])",
            order_ids,
        )
    redis = app.state.redis
    now_ms = int(time.time() * 1000)
    due = await redis.zadd(
        "arq:queue", {f"complete:{oid}": now_ms for oid in order_ids}, xx=True, ch=True
    )
    assert due == ORDERS, f"{due} complete_order jobs were queued for {ORDERS} confirmed orders"

    async with db.connection() as conn:
        written = await conn.fetchval(
            "SELECT count(*) FROM commissions WHERE order_id = ANY($1::int[])", order_ids
        )
    assert written == ORDERS * len(RATES), f"{written} pending commissions for {ORDERS} orders"

    env = app_env(migrated.database_url or "", migrated.redis_url or "")
    kills: list[
        tuple[str, int, int]
    ] = []  # (signal, orders completed, commissions due) at the kill
    settle_rounds = 0
    child = worker(env, tmp_path / "worker.log")
    try:
        for n in range(KILLS):
            child.start()
            before = await _completed(order_ids)
            if before == ORDERS:
                break
            on_settlement = n % 2 == 1
            if on_settlement:
                # Enough due for the settle job to be mid-way a while after its first commit (on a
                # loaded machine completions may be slow to provide it; the worker's settle cron may
                # take it first).
                with contextlib.suppress(TimeoutError):
                    await wait_until(lambda: _due_at_least(BACKLOG), timeout=60, every=0.05)
                on_settlement = await _due() > 0
            if on_settlement:
                # Kill mid-commission-settlement: once the settle job has committed a chunk, soon
                # after.
                settled_before = await _settled()
                await _enqueue_settle(redis, f"kill{n}", now_ms)
                await wait_until(lambda b=settled_before: _settled_past(b), timeout=60, every=0.01)
                await asyncio.sleep(rng.uniform(0, 0.05))
                settle_rounds += 1
            else:
                # Kill mid-completion: once this worker has completed an order, after a random
                # moment more.
                await wait_until(lambda b=before: _progressed(order_ids, b), timeout=60, every=0.02)
                await asyncio.sleep(rng.uniform(0, 0.4))
            # 8 SIGKILLs in 16, four of each kind of round. A SIGKILLed job keeps its arq
            # in-progress key for job_timeout + 10 s and arq skips it; with arq's default
            # queue_read_limit (100) five such kills of 20 jobs in flight hid every new job for 5
            # minutes. worker_options reads 1,000 ids a poll.
            sig = signal.SIGKILL if n % 2 == 0 else signal.SIGTERM
            completed_at_kill, due_at_kill = await _completed(order_ids), await _due()
            child.signal(sig)
            await asyncio.to_thread(child.wait, 30)
            kills.append((sig.name, completed_at_kill, due_at_kill if on_settlement else 0))
        if not child.running:
            child.start()
        # What SIGKILL left in flight is settled by the sweeper within a minute (or arq after its
        # timeout). A bound, not a speed claim: past arq's own retry (job_timeout + 10 s) even on a
        # loaded machine.
        waited = await wait_until(lambda: _all_done(order_ids), timeout=420, every=0.5)
        await _enqueue_settle(redis, "tail", now_ms)  # or the worker's cron, within 30 s
        await wait_until(lambda: _settled_past(written - 1), timeout=120, every=0.2)
    finally:
        child.stop()

    async with db.connection() as conn:
        settled, duplicates, problems = await settlement_problems(conn, order_ids)
        problems += await ledger_problems(conn)
        commissions_settled = await conn.fetchval(
            "SELECT count(*) FROM commissions WHERE status = 'settled' AND order_id = "
            "ANY($1::int[])",
            order_ids,
        )
        problems += await commission_problems(conn, order_ids, levels=len(RATES))
        wallets = {
            r["user_id"]: r["balance"]
            for r in await conn.fetch(
                "SELECT user_id, balance FROM accounts WHERE kind = 'wallet' AND user_id = "
                "ANY($1::int[])",
                [root.id, leaf.id],
            )
        }
        escrow = await conn.fetchval(
            "SELECT SUM(balance) FROM accounts WHERE user_id = $1"  # every escrow bucket
            " AND (kind = 'escrow' OR kind LIKE 'escrow.%')",
            host.id,
        )
        receivable = await conn.fetchval(
            "SELECT balance FROM accounts WHERE user_id = $1 AND kind = 'receivable'", host.id
        )
    fee = PRICE * migrated.platform_fee_bp // 10_000
    leaf_share, root_share = (PRICE * rate // 10_000 for rate in RATES)
    mid = sum(1 for _, at, _ in kills if 0 < at < ORDERS)
    mid_settle = sum(
        1 for _, _, due in kills if due > 0
    )  # the settle job had committed and had more to do
    sigkills = sum(1 for name, _, _ in kills if name == "SIGKILL")
    figure(
        f"{len(kills)} kills ({sigkills} SIGKILL, {len(kills) - sigkills} SIGTERM; {mid} "
        "mid-completion, "
        f"{mid_settle} mid-commission-settlement): {fmt(settled)}/{fmt(ORDERS)} orders settled, "
        f"{duplicates} duplicate; "
        f"{fmt(commissions_settled)}/{fmt(written)} commissions settled once, wallets exact: "
        f"{wallets == {leaf.id: ORDERS * leaf_share, root.id: ORDERS * root_share}}; ledger sum 0: "
        f"{not problems}; "
        f"tail settled in {waited:.0f}s after the last completion kill (seed {seed})"
    )
    assert len(kills) >= 10 and mid >= 10, f"only {mid} kills landed mid-completion: {kills}"
    assert mid_settle >= 4, (
        f"only {mid_settle} of {settle_rounds} kills landed mid-commission-settlement: {kills}"
    )
    assert not problems, "\n".join(problems)
    assert (settled, duplicates) == (ORDERS, 0)
    assert commissions_settled == written == ORDERS * len(RATES)
    assert wallets == {leaf.id: ORDERS * leaf_share, root.id: ORDERS * root_share}
    assert (escrow, receivable) == (0, ORDERS * (PRICE - fee - leaf_share - root_share))


async def _enqueue_settle(redis: ArqRedis, name: str, ahead_of_ms: int) -> None:
    """The settle batch job with small chunks, under a fresh id (a killed one keeps its id in
    flight), scored just ahead of the completions: arq runs a queue in score order, so behind 1,000
    `complete_order` jobs it would start only once they were nearly all done."""
    ahead = datetime.fromtimestamp((ahead_of_ms - 1_000) / 1_000, UTC)
    assert (
        await redis.enqueue_job(
            "settle_due_commissions", SETTLE_CHUNK, _job_id=f"settle:{name}", _defer_until=ahead
        )
        is not None
    )


async def _settled() -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT count(*) FROM commissions WHERE status = 'settled'")


async def _due() -> int:
    async with db.connection() as conn:
        return await conn.fetchval("SELECT count(*) FROM commissions WHERE status = 'due'")


async def _due_at_least(n: int) -> bool:
    return await _due() >= n


async def _settled_past(before: int) -> bool:
    return await _settled() > before


async def _progressed(order_ids: list[int], before: int) -> bool:
    return await _completed(order_ids) > before


async def _all_done(order_ids: list[int]) -> bool:
    return await _completed(order_ids) == len(order_ids)
