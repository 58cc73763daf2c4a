"""A settle job SIGKILLed midway and restarted settles every commission exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import pytest

from livecommerce.infra import db
from tests.distribution.helpers import ledger_checks

DISTRIBUTORS, ORDERS, ITEMS_PER_ORDER = 40, 2000, 5  # 2 levels: 20,000 commissions

RUNNER = """
import asyncio, os, sys
from livecommerce.infra import db
from livecommerce.settings import load_settings
from livecommerce.domains.distribution import jobs

async def main():
    settings = load_settings()
    await db.start_pool(settings)
    print(await jobs.settle_due_commissions({"settings": settings}, int(sys.argv[1])), flush=True)
    await db.close_pool()

asyncio.run(main())
"""


async def _make_due_commissions() -> None:
    async with db.transaction() as tx:
        conn = tx.conn
        users = [
            r["id"]
            for r in await conn.fetch(
                "INSERT INTO users (username, display_name, password_hash, roles, created_at, "
                "roles_changed_at)"
                " SELECT 'u' || g, 'U' || g, 'x', ARRAY['distributor'], now(), now() FROM "
                "generate_series(1, $1) g RETURNING id",
                DISTRIBUTORS + 2,
            )
        ]
        host, buyer, dists = users[0], users[1], users[2:]
        product = await conn.fetchval(
            "INSERT INTO products (host_id, title, description, images, on_shelf, created_at, "
            "updated_at)"
            " VALUES ($1, 'T', '', '{}', true, now(), now()) RETURNING id",
            host,
        )
        sku = await conn.fetchval(
            "INSERT INTO skus (product_id, name, price, stock, sold) VALUES ($1, 's', 1000, 0, 0) "
            "RETURNING id",
            product,
        )
        await conn.execute(
            "INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount, "
            "pay_amount, refunded_amount, payment_deadline, created_at)"
            " SELECT $1, $2, 'completed', $3, 0, $3, 0, now(), now() FROM generate_series(1, $4)",
            buyer,
            host,
            1000 * ITEMS_PER_ORDER,
            ORDERS,
        )
        await conn.execute(
            "INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, unit_price, "
            "quantity, amount, discount, paid_amount, refunded_amount)"
            " SELECT o.id, $1, $2, 'T', 's', 1000, 1, 1000, 0, 1000, 0 FROM orders o, "
            "generate_series(1, $3)",
            product,
            sku,
            ITEMS_PER_ORDER,
        )
        await conn.execute(
            "INSERT INTO commissions (order_id, order_item_id, level, distributor_id, buyer_id, "
            "base_amount, rate_bp, amount,"
            " reversed_amount, status, reversal_reason, created_at, due_at)"
            " SELECT i.order_id, i.id, l, ($1::int[])[1 + (i.id * 7 + l) % "
            "cardinality($1::int[])], $2, 1000, 100 * l + i.id % 7,"
            "  (1000 * (100 * l + i.id % 7)) / 10000, (i.id % 3) * l, 'due', '', now(), now()"
            " FROM order_items i, generate_series(1, 2) l",
            dists,
            buyer,
        )
        # what the completions credited to the clearing account (both derived platform accounts)
        total = await conn.fetchval("SELECT SUM(amount - reversed_amount) FROM commissions")
        txn = await conn.fetchval(
            "INSERT INTO ledger_transactions (business_key, kind, created_at) VALUES "
            "('test:completions', 'settlement', now()) RETURNING id"
        )
        await conn.execute(
            "INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, "
            "created_at)"
            " VALUES (NULL, 'commission', 0, true, true, now()), (NULL, 'gateway', 0, true, true, "
            "now())"
            " ON CONFLICT (user_id, kind) DO NOTHING"
        )
        await conn.execute(
            "INSERT INTO ledger_entries (txn_id, account_id, amount, created_at) SELECT $1, id, "
            "CASE kind WHEN 'gateway' THEN -$2::bigint ELSE $2::bigint END, now()"
            " FROM accounts WHERE user_id IS NULL AND kind IN ('gateway', 'commission')",
            txn,
            total,
        )


def _start(settings, chunk: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "PICCOLO_CONF": "livecommerce.piccolo_conf",
        "LOG_LEVEL": "warning",
    }
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(chunk)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def _settled() -> int:
    async with db.connection() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM commissions WHERE status = 'settled'"))


@pytest.mark.slow
async def test_a_settle_job_killed_midway_then_restarted_settles_each_commission_once(
    migrated,
) -> None:
    await _make_due_commissions()
    total = ORDERS * ITEMS_PER_ORDER * 2
    worker = _start(migrated, 20)
    try:
        # A deliberate poll: the worker is another process, nothing here to wait on.
        while await _settled() < total // 10 and worker.poll() is None:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        await asyncio.to_thread(worker.wait, 30)
    finally:
        if worker.poll() is None:
            worker.kill()
    at_kill = await _settled()
    assert 0 < at_kill < total, f"the kill came at {at_kill} of {total}: not midway"
    # Two runs at once finish the rest: SKIP LOCKED gives them disjoint chunks.
    runs = [_start(migrated, 500), _start(migrated, 500)]
    outs = [await asyncio.to_thread(run.communicate, timeout=120) for run in runs]
    assert all(run.returncode == 0 for run in runs), [o[1][-2000:] for o in outs]
    assert sum(int(o[0].decode().strip()) for o in outs) == total - at_kill
    async with db.connection() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM commissions WHERE status <> 'settled'") == 0
        )
        owed = {
            r["distributor_id"]: r["net"]
            for r in await conn.fetch(
                "SELECT distributor_id, SUM(amount - reversed_amount)::bigint AS net FROM "
                "commissions GROUP BY distributor_id"
            )
        }
        paid = {
            r["user_id"]: r["balance"]
            for r in await conn.fetch("SELECT user_id, balance FROM accounts WHERE kind = 'wallet'")
        }
        clearing = await conn.fetchval(
            "SELECT SUM(e.amount) FROM ledger_entries e JOIN accounts a ON a.id = e.account_id "
            "WHERE a.kind = 'commission'"
        )
    assert paid == owed  # each commission paid once: not twice, not lost
    assert clearing == 0
    assert await ledger_checks() == (0, 0)
