"""The repurchase sweep: candidates found per second over 1,000,000 members and 3,000,000 orders,
ours against the same selection as one hand-written query run by psql (the limit), in one run.

    .venv/bin/python -m bench.outreach [--members 1000000] [--rounds 3] [--keep]

PostgreSQL: an embedded one in a temp dir (fsync off: this bench reads), or DATABASE_URL's
(a database this bench may fill: it must be empty), migrated as the app migrates it. Setup,
untimed: 20 hosts with 25 products each, N buyers (members) with 3 orders each on average,
COPYed in batches (bench/outreach_data.py); half of the products get a cycle from their host,
the others learn theirs (cycles.learn over every order: its time is reported, `learn_s`).

- ours:  journey_repurchase.candidates() as the hourly sweep runs it: ONE statement
         (SWEEP_SQL) read through a cursor in chunks of 1,000 over asyncpg.
- limit: bench/outreach.sql, the same selection written by hand, run by `psql` (the embedded
         server's, else the system's) with the same `now`, lead and grace; rows to a pipe.
- naive: the per-member loop a first attempt writes: for each member, one query for their paid
         purchases, the last one per product and its due day worked out in Python, one query per
         candidate for "reminded already?"; over the first --naive-members members (a rate).
Ours and the limit are run --rounds times, alternating, after one warm-up each; medians.
Correct when both find the same set of (buyer, product, order) and of users, and it is not
empty, and the naive loop finds what ours found among its members. The last line is the JSON
result.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
os.environ.setdefault("PICCOLO_CONF", "livecommerce.piccolo_conf")

from bench.common import headline, json_line, print_table  # noqa: E402
from bench.outreach_data import ITEM_COLUMNS, ORDER_COLUMNS, batches, buyer_id, shop  # noqa: E402

SQL = Path(__file__).with_name("outreach.sql")
LEAD = 3
SEED = 19


def find_psql(bin_dir: Path | None) -> str | None:
    if bin_dir is not None and (bin_dir / "psql").exists():
        return str(bin_dir / "psql")
    return shutil.which("psql")


async def load(url: str, members: int, now: datetime) -> dict[str, Any]:
    """Every row, by COPY; returns what was made."""
    import asyncpg

    rng = random.Random(SEED)
    made = shop(rng)
    conn = await asyncpg.connect(url)
    try:
        # Bulk load: the rows are consistent by construction; skip the FK triggers.
        await conn.execute("SET session_replication_role = replica")
        users = [(h, f"bench_host{h}", f"Host {h}", "x", ["host"]) for h in made.host_ids]
        await conn.copy_records_to_table(
            "users",
            records=users,
            columns=("id", "username", "display_name", "password_hash", "roles"),
        )
        for start in range(0, members, 100_000):
            rows: list[tuple[int, str, str, str, list[str]]] = [
                (buyer_id(i), f"b{i}", f"Buyer {i}", "x", [])
                for i in range(start, min(start + 100_000, members))
            ]
            await conn.copy_records_to_table(
                "users",
                records=rows,
                columns=("id", "username", "display_name", "password_hash", "roles"),
            )
            await conn.copy_records_to_table(
                "members",
                records=[
                    (made.host_ids[(u - buyer_id(0)) % len(made.host_ids)], u) for u, *_ in rows
                ],
                columns=("host_id", "user_id"),
            )
        await conn.copy_records_to_table(
            "products",
            records=[(p, h, f"商品 {p}", True) for p, (h, _, _) in made.products.items()],
            columns=("id", "host_id", "title", "on_shelf"),
        )
        await conn.copy_records_to_table(
            "skus",
            records=[(s, p, "默认", 3000, 1000) for p, (_, s, _) in made.products.items()],
            columns=("id", "product_id", "name", "price", "stock"),
        )
        orders = 0
        for order_rows, item_rows in batches(made, members, now, SEED):
            await conn.copy_records_to_table("orders", records=order_rows, columns=ORDER_COLUMNS)
            await conn.copy_records_to_table("order_items", records=item_rows, columns=ITEM_COLUMNS)
            orders += len(order_rows)
            print(f"  {orders:,} orders", end="\r", flush=True)
        print()
        for table in ("users", "members", "products", "skus", "orders", "order_items"):
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        # Half of the products: a cycle their host set (the others learn theirs).
        await conn.executemany(
            "INSERT INTO outreach_product_cycles (product_id, host_id, cycle_days)"
            " VALUES ($1, $2, $3)",
            [(p, h, c) for p, (h, _, c) in made.products.items() if p % 2 == 0],
        )
        await conn.execute("RESET session_replication_role")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return {"orders": orders, "products": len(made.products)}


async def ours_once(now: datetime) -> tuple[float, set[tuple[int, int, int]]]:
    from livecommerce.domains.outreach import journey_repurchase
    from livecommerce.infra import db

    found: set[tuple[int, int, int]] = set()
    started = time.perf_counter()
    async with db.connection() as conn, conn.transaction(readonly=True):
        async for rows in journey_repurchase.candidates(conn, now, LEAD):
            found.update((r["buyer_id"], r["product_id"], r["order_id"]) for r in rows)
    return time.perf_counter() - started, found


def limit_once(
    psql: str, url: str, now: datetime, grace: int, timeout: float
) -> tuple[float, set[tuple[int, int, int]]]:
    argv = [
        psql, "-X", "-q", "-At", "-F", ",", "-v", "ON_ERROR_STOP=1",
        "-v", f"now={now.isoformat()}", "-v", f"lead={LEAD}", "-v", f"grace={grace}",
        "-f", str(SQL), url,
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=True)
    elapsed = time.perf_counter() - started
    found = set()
    for line in done.stdout.splitlines():
        if line:
            b, p, o = line.split(",")
            found.add((int(b), int(p), int(o)))
    return elapsed, found


async def naive_once(
    url: str, now: datetime, buyers: range, grace: int
) -> tuple[float, set[tuple[int, int, int]]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        cycle_of = {
            r["product_id"]: max(r["days"] - LEAD, 1)
            for r in await conn.fetch(
                "SELECT product_id, coalesce(cycle_days, learned_days) AS days"
                " FROM outreach_product_cycles WHERE coalesce(cycle_days, learned_days) IS NOT NULL"
            )
        }
        purchases = await conn.prepare(
            "SELECT o.id, o.paid_at, i.product_id FROM orders o"
            " JOIN order_items i ON i.order_id = o.id WHERE o.buyer_id = $1"
            " AND o.paid_at IS NOT NULL"
            " AND o.status NOT IN ('pending_payment', 'cancelled', 'refunded')"
        )
        reminded = await conn.prepare(
            "SELECT EXISTS (SELECT 1 FROM outreach_messages WHERE user_id = $1"
            " AND journey = 'repurchase' AND period = $2)"
        )
        found: set[tuple[int, int, int]] = set()
        started = time.perf_counter()
        for buyer in buyers:
            last: dict[int, tuple[datetime, int]] = {}
            for r in await purchases.fetch(buyer):
                key = (r["paid_at"], r["id"])
                if r["product_id"] not in last or key > last[r["product_id"]]:
                    last[r["product_id"]] = key
            for product, (paid_at, order_id) in last.items():
                after = cycle_of.get(product)
                if after is None:
                    continue
                due = paid_at + timedelta(days=after)
                if not now - timedelta(days=grace) < due <= now:
                    continue
                if not await reminded.fetchval(buyer, f"product:{product}:last:{order_id}"):
                    found.add((buyer, product, order_id))
        return time.perf_counter() - started, found
    finally:
        await conn.close()


async def measure(
    url: str, members: int, rounds: int, timeout: float, psql: str, naive_members: int
) -> dict:
    from livecommerce.domains.outreach import cycle_rules, cycles
    from livecommerce.infra import db
    from livecommerce.settings import load_settings

    settings = load_settings({"ENV": "test", "DATABASE_URL": url}, dotenv=Path("/nonexistent"))
    print("migrating...", flush=True)
    await db.migrate(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    print(f"loading {members:,} members and their orders (COPY)...", flush=True)
    t0 = time.perf_counter()
    made = await load(url, members, now)
    setup_s = time.perf_counter() - t0
    await db.start_pool(settings)
    try:
        print("learning cycles (one statement over every order)...", flush=True)
        t0 = time.perf_counter()
        learned = await cycles.learn_all(settings, now)
        learn_s = time.perf_counter() - t0
        async with db.connection() as conn:
            await conn.execute("ANALYZE outreach_product_cycles")
        grace = cycle_rules.GRACE_DAYS
        print("sweeping: ours and psql, alternating...", flush=True)
        await ours_once(now)  # warm-up, each
        limit_once(psql, url, now, grace, timeout)
        ours_s, limit_s = [], []
        ours_found: set[tuple[int, int, int]] = set()
        limit_found: set[tuple[int, int, int]] = set()
        for _ in range(rounds):
            elapsed, ours_found = await ours_once(now)
            ours_s.append(elapsed)
            elapsed, limit_found = limit_once(psql, url, now, grace, timeout)
            limit_s.append(elapsed)
        sample = range(buyer_id(0), buyer_id(min(naive_members, members)))
        print(f"naive: a loop over {len(sample):,} members...", flush=True)
        naive_s, naive_found = await naive_once(url, now, sample, grace)
    finally:
        await db.close_pool()
    found = len(ours_found)
    ours_rate = found / statistics.median(ours_s)
    limit_rate = len(limit_found) / statistics.median(limit_s)
    naive_rate = len(naive_found) / naive_s
    naive_agrees = naive_found == {c for c in ours_found if c[0] in sample}
    correct = bool(ours_found) and ours_found == limit_found and naive_agrees
    same_users = {b for b, _, _ in ours_found} == {b for b, _, _ in limit_found}
    print()
    print_table(
        ["what", "candidates", "median s", "candidates/s"],
        [
            ["ours (cursor, chunks of 1,000)", found, statistics.median(ours_s), ours_rate],
            ["limit (psql, one query)", len(limit_found), statistics.median(limit_s), limit_rate],
            [f"naive (loop, {len(sample):,} members)", len(naive_found), naive_s, naive_rate],
        ],
    )
    print(
        f"{members:,} members, {made['orders']:,} orders, {made['products']} products"
        f" ({learned} with a learned cycle, learned in {learn_s:.1f} s); setup {setup_s:.0f} s"
    )
    return {
        **headline(
            round(ours_rate),
            round(naive_rate),
            round(limit_rate),
            "candidates/s",
            correct and same_users,
        ),
        "members": members,
        "orders": made["orders"],
        "candidates": found,
        "users": len({b for b, _, _ in ours_found}),
        "ours_s": round(statistics.median(ours_s), 3),
        "limit_s": round(statistics.median(limit_s), 3),
        "naive_members": len(sample),
        "naive_s": round(naive_s, 3),
        "naive_agrees": naive_agrees,
        "learn_s": round(learn_s, 2),
        "learned_products": learned,
        "same_users": same_users,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--naive-members", type=int, default=20_000, help="members the naive loop goes through"
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per psql run")
    parser.add_argument("--keep", action="store_true", help="keep the embedded server's dir")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    server = None
    tmp = None
    bin_dir = None
    if not url:
        from livecommerce.infra.embedded import EmbeddedPostgres

        tmp = Path(tempfile.mkdtemp(prefix="lc-bench-outreach-"))
        server = EmbeddedPostgres(tmp / "pg", durable=False)
        url = server.start()
        bin_dir = server.bin_dir
    psql = find_psql(bin_dir)
    if psql is None:
        raise SystemExit("psql not found (the embedded server's or the system's)")
    try:
        result = asyncio.run(
            measure(url, args.members, args.rounds, args.timeout, psql, args.naive_members)
        )
    finally:
        if server is not None:
            server.stop()
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    json_line(result)
    return 0 if result["correct"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
