"""Commissions settled per second (due -> the distributor's wallet, through the ledger):
ours against a naive baseline and the physical limit, measured in the same run.

    .venv/bin/python -m bench.settle [--orders 100000] [--naive-orders 2500] [--distributors 5000]
                                     [--chunk 1000] [--keep]
    (or SETTLE_ORDERS=20000 for a quick run)

Loopback only. A durable embedded PostgreSQL (fsync on) and an embedded Redis in a temp dir.
Setup (bulk SQL, not timed): one host, N distributors in a tree, and three sets of paid,
completed orders (one item each, two commission levels: 2 commissions per order), parked;
each set is made due just before its scenario, as order completion does, with the matching
credit of the platform's commission clearing account.

- ours:  a real `livecommerce worker` process runs the `settle_due_commissions` job (enqueued
         through arq): chunks of --chunk commissions, one DB transaction each, one ledger
         transaction per distributor per chunk (settlement.py). Timed from the enqueue until the
         job's result is in and no commission of the set is due (arq's pickup delay included).
- naive: one DB transaction per commission (lock it, mark it, ledger.post), one connection.
- limit: pgbench running the same work batched as ONE SQL statement per chunk (bench/settle.sql),
         one client like our one job, against the same database.

Correct when every commission ends settled exactly once: each wallet == the net of its settled
commissions, the clearing account back to zero, every ledger transaction sums to zero and every
tracked balance equals its entries. The last line is the JSON result.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import time
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
os.environ.setdefault("PICCOLO_CONF", "livecommerce.piccolo_conf")

from bench.common import headline, json_line, print_table  # noqa: E402
from bench.harness import BIN, Procs, Stack, find_pgbench, pgbench_argv, tail  # noqa: E402
from bench.ledger_checks import check_ledger, entries_of_kind  # noqa: E402

SQL_SCRIPT = Path(__file__).resolve().parent / "settle.sql"
SETS = ("ours", "naive", "limit")


async def setup(settings: Any, counts: dict[str, int], n_distributors: int) -> dict[str, Any]:
    """Users, a product, and per set its orders/items/commissions (status pending = parked)."""
    from livecommerce.domains import ledger
    from livecommerce.domains.ledger import Kind
    from livecommerce.infra import db

    await db.migrate(settings)
    await db.start_pool(settings)
    try:
        async with db.transaction() as tx:
            conn = tx.conn
            host, buyer = [
                r["id"]
                for r in await conn.fetch(
                    "INSERT INTO users (username, display_name, password_hash, roles, created_at, "
                    "roles_changed_at)"
                    " VALUES ('bench_host', 'Host', 'x', ARRAY['host'], now(), now()), "
                    "('bench_buyer', '王小明', 'x', '{}', now(), now())"
                    " RETURNING id"
                )
            ]
            dists = [
                r["id"]
                for r in await conn.fetch(
                    "INSERT INTO users (username, display_name, password_hash, roles, created_at, "
                    "roles_changed_at)"
                    " SELECT 'bench_d' || g, 'D' || g, 'x', ARRAY['distributor'], now(), now()"
                    " FROM generate_series(1, $1) g"
                    " ORDER BY g RETURNING id",
                    n_distributors,
                )
            ]
            await conn.execute(
                "INSERT INTO distributors (user_id, code, parent_id, created_at)"
                " SELECT u, 'B' || lpad(to_hex(u), 7, '0'),"
                " CASE WHEN i > 1 THEN ($1::int[])[i / 2] END, now()"
                " FROM unnest($1::int[]) WITH ORDINALITY AS t(u, i)",
                dists,
            )
            # established distributors: wallets exist (the limit's SQL expects them; ours creates
            # missing ones)
            await ledger.account_ids(conn, dists, Kind.WALLET)
            clearing = await ledger.account_id(conn, None, Kind.COMMISSION)
            gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
            product = await conn.fetchval(
                "INSERT INTO products (host_id, title, description, images, on_shelf, created_at, "
                "updated_at)"
                " VALUES ($1, 'Bench tea', '', '{}', true, now(), now()) RETURNING id",
                host,
            )
            sku = await conn.fetchval(
                "INSERT INTO skus (product_id, name, price, stock, sold)"
                " VALUES ($1, 'one', 9990, 0, 0) RETURNING id",
                product,
            )
        ranges: dict[str, tuple[int, int]] = {}
        for name in SETS:
            async with db.transaction() as tx:
                conn = tx.conn
                await conn.execute(
                    "INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount, "
                    "pay_amount, refunded_amount,"
                    " payment_deadline, paid_at, completed_at, created_at)"
                    " SELECT $1, $2, 'completed', 9990, 0, 9990, 0, now(), now(), now(), now()"
                    " FROM generate_series(1, $3)",
                    buyer,
                    host,
                    counts[name],
                )
                hi = int(await conn.fetchval("SELECT max(id) FROM orders"))
                lo = hi - counts[name] + 1
                await conn.execute(
                    "INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, "
                    "unit_price, quantity, amount, discount,"
                    " paid_amount, refunded_amount)"
                    " SELECT o.id, $1, $2, 'Bench tea', 'one', 9990, 1, 9990, o.id % 500, "
                    "9990 - o.id % 500, 0"
                    " FROM orders o WHERE o.id BETWEEN $3 AND $4",
                    product,
                    sku,
                    lo,
                    hi,
                )
                # level 1: a distributor picked by the order; level 2: their parent (the root has
                # none)
                await conn.execute(
                    "INSERT INTO commissions (order_id, order_item_id, level, distributor_id, "
                    "buyer_id, base_amount, rate_bp,"
                    " amount, reversed_amount, status, reversal_reason, created_at)"
                    " SELECT i.order_id, i.id, l.level, l.dist, $1, i.paid_amount, l.rate, "
                    "i.paid_amount * l.rate / 10000, 0,"
                    "  'pending', '', now()"
                    " FROM order_items i JOIN distributors d"
                    " ON d.user_id = ($2::int[])[1 + (i.order_id * 7919) % cardinality($2::int[])]"
                    " CROSS JOIN LATERAL (VALUES (1, d.user_id, 1000), (2, d.parent_id, 500))"
                    " AS l(level, dist, rate)"
                    " WHERE i.order_id BETWEEN $3 AND $4 AND l.dist IS NOT NULL",
                    buyer,
                    dists,
                    lo,
                    hi,
                )
                ranges[name] = (lo, hi)
        return {"ranges": ranges, "clearing": clearing, "gateway": gateway}
    finally:
        await db.close_pool()


async def make_due(settings: Any, fixture: dict[str, Any], name: str) -> int:
    """What completing the set's orders does for commissions: due, and their total into the
    clearing account."""
    from livecommerce.domains import ledger
    from livecommerce.infra import db

    lo, hi = fixture["ranges"][name]
    await db.start_pool(settings)
    try:
        async with db.transaction() as tx:
            conn = tx.conn
            rows = await conn.fetch(
                "UPDATE commissions SET status = 'due', due_at = now() WHERE order_id BETWEEN $1"
                " AND $2 AND status = 'pending'"
                " RETURNING amount - reversed_amount AS net",
                lo,
                hi,
            )
            total = sum(r["net"] for r in rows)
            await ledger.post(
                conn,
                f"bench:completions:{name}",
                "settlement",
                [(fixture["gateway"], -total), (fixture["clearing"], total)],
            )
        async with db.connection() as conn:
            await conn.execute("VACUUM ANALYZE commissions")
            await conn.execute("CHECKPOINT")
        return len(rows)
    finally:
        await db.close_pool()


async def due_left(settings: Any, fixture: dict[str, Any], name: str) -> int:
    import asyncpg

    lo, hi = fixture["ranges"][name]
    conn = await asyncpg.connect(settings.database_url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM commissions WHERE status = 'due' AND order_id BETWEEN $1"
                " AND $2",
                lo,
                hi,
            )
        )
    finally:
        await conn.close()


async def run_ours(
    settings: Any, fixture: dict[str, Any], procs: Procs, tmp: Path, env: dict[str, str], chunk: int
) -> float:
    from arq import create_pool
    from arq.connections import RedisSettings

    count = await make_due(settings, fixture, "ours")
    log = tmp / "worker.log"
    worker = procs.start([str(BIN / "livecommerce"), "worker"], cpu=0, env=env, log=log)
    redis = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    try:
        deadline = time.monotonic() + 60
        while not await redis.exists("arq:queue:health-check"):  # the worker is up and polling
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start:\n{tail(log)}")
            await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        job = await redis.enqueue_job(
            "settle_due_commissions", chunk, _job_id=f"bench-settle-{secrets.token_hex(4)}"
        )
        assert job is not None
        await job.result(timeout=600, poll_delay=0.02)
        while await due_left(
            settings, fixture, "ours"
        ):  # a cron run may have taken a share: wait for it too
            if worker.poll() is not None:
                raise RuntimeError(f"the worker died:\n{tail(log)}")
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - t0
    finally:
        await redis.aclose()
        procs.stop(worker, signal.SIGTERM)
    return count / elapsed


async def run_naive(settings: Any, fixture: dict[str, Any]) -> float:
    """One transaction per commission: what a job that loops over rows one by one costs."""
    from livecommerce.domains import ledger
    from livecommerce.domains.ledger import Kind
    from livecommerce.infra import db

    count = await make_due(settings, fixture, "naive")
    lo, hi = fixture["ranges"]["naive"]
    await db.start_pool(settings)
    try:
        t0 = time.perf_counter()
        async with db.connection() as conn:
            ids = [
                r["id"]
                for r in await conn.fetch(
                    "SELECT id FROM commissions WHERE status = 'due' AND order_id BETWEEN $1 AND $2"
                    " ORDER BY id",
                    lo,
                    hi,
                )
            ]
        for commission_id in ids:
            async with db.transaction() as tx:
                conn = tx.conn
                row = await conn.fetchrow(
                    "UPDATE commissions SET status = 'settled', settled_at = now() WHERE id = $1"
                    " AND status = 'due'"
                    " RETURNING distributor_id, amount - reversed_amount AS net",
                    commission_id,
                )
                if row is None or row["net"] <= 0:
                    continue
                wallet = await ledger.account_id(conn, row["distributor_id"], Kind.WALLET)
                await ledger.post(
                    conn,
                    f"naive-settle:{commission_id}",
                    "commission",
                    [(fixture["clearing"], -row["net"]), (wallet, row["net"])],
                )
        elapsed = time.perf_counter() - t0
    finally:
        await db.close_pool()
    return count / elapsed


def run_limit(
    settings: Any, fixture: dict[str, Any], pg: Any, procs: Procs, tmp: Path, chunk: int
) -> tuple[float | None, str]:
    pgbench = find_pgbench(pg.bin_dir)
    if pgbench is None:
        return None, "pgbench not found"
    count = asyncio.run(make_due(settings, fixture, "limit"))
    transactions = count // chunk + 2  # the last ones find nothing left
    out = tmp / "pgbench.out"
    argv = pgbench_argv(
        pgbench,
        pg.port,
        1,
        SQL_SCRIPT,
        *("-t", str(transactions)),
        chunk=chunk,
        clearing=fixture["clearing"],
    )
    t0 = time.perf_counter()
    code = procs.run(argv, cpu=1, log=out, timeout=600)
    elapsed = time.perf_counter() - t0
    text = out.read_text(errors="replace")
    if code != 0:
        return (
            None,
            f"pgbench failed ({code}): {text.strip().splitlines()[-1] if text.strip() else ''}",
        )
    left = asyncio.run(due_left(settings, fixture, "limit"))
    # the limit's own ledger rows credited the clearing account's debit; balance it like ours does
    return (
        count - left
    ) / elapsed, f"pgbench -c 1, {transactions} txns of {chunk}, 1 statement each"


async def checks(settings: Any) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(settings.database_url)
    try:
        ledger = await check_ledger(conn)
        return {
            "not_settled": int(
                await conn.fetchval("SELECT count(*) FROM commissions WHERE status <> 'settled'")
            ),
            "wallets_ne_settled_net": int(
                await conn.fetchval(
                    "SELECT count(*) FROM accounts a FULL JOIN (SELECT distributor_id,"
                    " SUM(amount - reversed_amount) AS net FROM commissions"
                    " WHERE status = 'settled' GROUP BY distributor_id) c"
                    " ON c.distributor_id = a.user_id WHERE (a.kind = 'wallet' OR a.kind IS NULL)"
                    " AND COALESCE(a.balance, 0) <> COALESCE(c.net, 0)"
                )
            ),
            "clearing_balance": await entries_of_kind(conn, "commission"),
            "unbalanced_ledger_txns": ledger.unbalanced_txns,
            "balances_ne_entries": ledger.balances_ne_entries,
        }
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.settle", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=int(os.environ.get("SETTLE_ORDERS", 100_000)),
        help="paid orders settled by ours and by the limit (2 commissions each)",
    )
    parser.add_argument(
        "--naive-orders",
        type=int,
        default=int(os.environ.get("SETTLE_NAIVE_ORDERS", 2_500)),
        help="orders settled by the naive baseline (it is slow: a rate needs fewer)",
    )
    parser.add_argument("--distributors", type=int, default=5_000)
    parser.add_argument("--chunk", type=int, default=1_000)
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp dir (logs) and print its path"
    )
    args = parser.parse_args(argv)

    rates: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    result_checks: dict[str, int] = {}
    with Stack("settle", keep=args.keep) as stack:
        procs, tmp = stack.procs, stack.tmp
        settings = stack.start()
        t_setup = time.monotonic()
        counts = {"ours": args.orders, "naive": args.naive_orders, "limit": args.orders}
        fixture = asyncio.run(setup(settings, counts, args.distributors))
        print(
            f"setup: {args.distributors} distributors, orders ours/limit {args.orders:,}"
            f" naive {args.naive_orders:,} (2 commissions each),"
            f" {time.monotonic() - t_setup:.1f}s; PostgreSQL durable (fsync on)",
            flush=True,
        )
        env = stack.env()
        print("running ours (livecommerce worker, settle_due_commissions)...", flush=True)
        rates["ours"] = asyncio.run(run_ours(settings, fixture, procs, tmp, env, args.chunk))
        notes["ours"] = (
            f"1 worker job, chunks of {args.chunk}, 1 ledger txn per distributor per chunk"
        )
        print("running naive (1 transaction per commission)...", flush=True)
        rates["naive"] = asyncio.run(run_naive(settings, fixture))
        notes["naive"] = "1 DB transaction + ledger.post per commission"
        print("running limit (pgbench, the same work as 1 statement per chunk)...", flush=True)
        rates["limit"], notes["limit"] = run_limit(
            settings, fixture, stack.pg, procs, tmp, args.chunk
        )
        result_checks = asyncio.run(checks(settings))
    if stack.interrupted:
        return 130

    correct = bool(result_checks) and all(v == 0 for v in result_checks.values())
    print()
    print_table(
        ["scenario", "commissions/s", "notes"],
        [
            [
                name,
                "n/a" if rates.get(name) is None else float(rates[name] or 0),
                notes.get(name, ""),
            ]
            for name in SETS
        ],
    )
    print("checks:", result_checks)
    ours, naive, limit = (round(rates[k], 1) if rates.get(k) else None for k in SETS)
    json_line(headline(ours, naive, limit, "commissions/s", correct))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
