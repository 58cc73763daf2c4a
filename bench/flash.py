"""A flash sale (秒杀) through the HTTP API: N buyers, each with a funded wallet, place and pay
(wallet) for one flash SKU of one host, against one api process on one core.

    .venv/bin/python -m bench.flash [--buyers 2000] [--quantity 1500] [--concurrency 32]
                                    [--duration 8] [--two-step] [--keep]

Loopback only; a durable embedded PostgreSQL (fsync on) and an embedded Redis in a temp dir;
the api server alone on core 0 (`livecommerce serve --workers 1`), the load generators
(bench/flash_loadgen.py, bench/loadgen.py) and pgbench on core 1.

- ours:          every buyer once: POST /api/flash-sales/{id}/orders {"payWith":"wallet"} (one
                 tap: placed and paid in one request and one transaction, as the room buys);
                 paid checkouts per second from the first request to the last paid one. With
                 --two-step: place, then POST /api/orders/{id}/pay {"method":"wallet"}.
- limit_pg:      pgbench running bench/flash.sql: one transaction per checkout writing the rows our
                 design writes (idempotency key, order, item, unit, payment, ledger transaction and
                 entries, the buyer's wallet and the order's escrow bucket), no hot row, same
                 client count.
- http_ceiling:  GET /api/me (the same app's trivial authenticated endpoint) req/s, divided by
                 the requests one checkout needs (1; 2 with --two-step).
- limit:         min(limit_pg, http_ceiling).
- ordinary:      the ordinary path (POST /api/orders, then pay) on the same hot SKU, same run.

correct: sold == quantity exactly when quantity < buyers (else every buyer), every paid 200 a
paid order holding one unit, nobody over the per-user limit, the ledger's laws (every
transaction sums to zero, every tracked balance equals its entries, none negative). The last line
is the JSON result.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import time
import warnings
from typing import Any

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
os.environ.setdefault("PICCOLO_CONF", "livecommerce.piccolo_conf")

from pathlib import Path  # noqa: E402

from bench.checkout import Fixture, setup  # noqa: E402
from bench.common import Result, headline, json_line, pin, print_results, raise_fd_limit  # noqa: E402
from bench.harness import (  # noqa: E402
    BIN,
    CLIENT_CPU,
    HOST,
    CpuSampler,
    Stack,
    checkpoint,
    find_pgbench,
    free_port,
    on_db,
    pg_pids,
    pgbench_argv,
)
from bench.ledger_checks import check_ledger  # noqa: E402

SQL_SCRIPT = Path(__file__).resolve().parent / "flash.sql"
FLASH_PRICE = 500  # the hot SKU lists at 990 (bench/checkout.py)
PG_SALE = 1_000_000_000  # the pgbench run's units belong to no real sale


async def _room_and_host(settings: Any, fixture: Fixture) -> dict[str, Any]:
    """A room of the host with the hot SKU's product on its showcase; the host's escrow buckets
    opened (as a host that has sold before); the pgbench run's unit sequence; the host's token."""
    from livecommerce.domains.ledger import Kind
    from livecommerce.domains.ledger.buckets import BUCKETS, bucket_account_id
    from livecommerce.infra import db
    from livecommerce.infra.auth import build_jwt_auth

    await db.start_pool(settings)
    try:
        async with db.transaction() as tx:
            conn = tx.conn
            product_id = await conn.fetchval(
                "SELECT product_id FROM skus WHERE id = $1", fixture.hot_sku
            )
            room_id = await conn.fetchval(
                "INSERT INTO rooms (host_id, title, description, cover_url, slow_mode_seconds,"
                " created_at) VALUES ($1, 'Flash bench', '', '', 0, now()) RETURNING id",
                fixture.host_id,
            )
            await conn.execute(
                "INSERT INTO room_products (room_id, product_id, position) VALUES ($1, $2, 0)",
                room_id,
                product_id,
            )
            for key in range(BUCKETS):
                await bucket_account_id(conn, fixture.host_id, Kind.ESCROW, key)
            await conn.execute("CREATE SEQUENCE IF NOT EXISTS bench_flash_unit")
    finally:
        await db.close_pool()
    token = build_jwt_auth(settings).create_token(
        identifier=str(fixture.host_id),
        token_unique_jwt_id=f"t{fixture.host_id}-bench_host",
        token_extras={"roles": ["host"], "username": "bench_host_1"},
    )
    return {"room_id": room_id, "product_id": product_id, "host_token": token}


def _http(port: int, method: str, path: str, token: str, body: dict[str, Any] | None) -> Any:
    import httpx

    with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=30) as client:
        response = client.request(
            method, path, json=body, headers={"Authorization": f"Bearer {token}"}
        )
        response.raise_for_status()
        return response.json()


def _open_now(db_url: str, redis_url: str, sale: dict[str, Any]) -> None:
    """Skip the countdown (10 s at least): the sale opened a moment ago; its gate is reloaded
    from PostgreSQL by the first buyer."""
    import redis as redis_sync

    from livecommerce.domains.marketing import flash_gate

    async def open_(conn: Any) -> None:
        await conn.execute(
            "UPDATE flash_sales SET starts_at = now() - interval '1 second' WHERE id = $1",
            sale["id"],
        )

    on_db(db_url, open_)
    client = redis_sync.Redis.from_url(redis_url)
    client.delete(*flash_gate.keys(sale["roomId"], sale["id"]))
    client.close()


def _checks(db_url: str, sale_id: int, quantity: int, buyers: int, limit: int) -> dict[str, Any]:
    async def check(conn: Any) -> dict[str, Any]:
        row = await conn.fetchrow(
            "SELECT count(*) AS held, count(*) FILTER (WHERE o.status = 'paid') AS paid,"
            " count(DISTINCT u.buyer_id) AS holders FROM flash_units u"
            " JOIN orders o ON o.id = u.order_id WHERE u.sale_id = $1",
            sale_id,
        )
        most = await conn.fetchval(
            "SELECT COALESCE(max(n), 0) FROM (SELECT count(*) AS n FROM flash_units"
            " WHERE sale_id = $1 AND buyer_id IS NOT NULL GROUP BY buyer_id) per",
            sale_id,
        )
        negative = await conn.fetchval(
            "SELECT count(*) FROM accounts WHERE NOT derived_balance AND NOT allow_negative"
            " AND balance < 0"
        )
        ledger = await check_ledger(conn)
        return {
            "units_held": int(row["held"]),
            "units_paid": int(row["paid"]),
            "most_per_buyer": int(most),
            "negative_balances": int(negative),
            "unbalanced_ledger_txns": ledger.unbalanced_txns,
            "balances_ne_entries": ledger.balances_ne_entries,
        }

    found = on_db(db_url, check)
    expected = min(quantity, buyers * limit)
    found["correct"] = (
        found["units_held"] == found["units_paid"] == expected
        and found["most_per_buyer"] <= limit
        and found["negative_balances"] == 0
        and found["unbalanced_ledger_txns"] == 0
        and found["balances_ne_entries"] == 0
    )
    return found


def _pgbench(
    stack: Stack, fixture: Fixture, extra: dict[str, Any], args: argparse.Namespace, body: str
) -> Result:
    pgbench = find_pgbench(stack.pg.bin_dir)
    if pgbench is None:
        return Result("limit_pg", None, notes="pgbench not found")
    buyers = [b for b, _ in fixture.buyers]
    argv = pgbench_argv(
        pgbench,
        stack.pg.port,
        args.concurrency,
        SQL_SCRIPT,
        "-T",
        str(round(args.duration)),
        sale=PG_SALE,
        host_id=fixture.host_id,
        product_id=extra["product_id"],
        sku_id=fixture.hot_sku,
        price=FLASH_PRICE,
        buyer_lo=min(buyers),
        buyer_hi=max(buyers),
        digest="0" * 64,
        body=body,
    )
    out = stack.tmp / "pgbench-flash.out"
    with CpuSampler(lambda: pg_pids(stack.pg.proc.pid)) as pgs:
        proc = stack.procs.start(argv, cpu=CLIENT_CPU, log=out)
        code = proc.wait(args.duration + 120)
    stack.procs.procs.remove(proc)
    text = out.read_text(errors="replace")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
    if code != 0 or tps is None:
        tail = text.strip().splitlines()[-1] if text.strip() else ""
        return Result("limit_pg", None, notes=f"pgbench failed ({code}): {tail}")
    return Result(
        "limit_pg",
        float(tps.group(1)),
        notes=f"cpu% pg {pgs.percent:.0f}; pgbench -M prepared, 1 txn/checkout, no hot row",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.flash", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument("--quantity", type=int, default=0, help="units (default: 3/4 of buyers)")
    parser.add_argument("--limit", type=int, default=1, help="per-user limit")
    parser.add_argument("--concurrency", "-c", type=int, default=32)
    parser.add_argument(
        "--duration", type=float, default=8.0, help="seconds of each timed scenario"
    )
    parser.add_argument(
        "--two-step", action="store_true", help="ours places, then pays: 2 requests a checkout"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs)")
    parser.add_argument("--profile", default="", help="py-spy the server into this file (raw)")
    args = parser.parse_args(argv)
    quantity = args.quantity or args.buyers * 3 // 4
    per_checkout = 2 if args.two_step else 1

    pin(CLIENT_CPU)
    raise_fd_limit()
    results: list[Result] = []
    checks: dict[str, Any] = {}
    with Stack("flash", keep=args.keep) as stack:
        procs, tmp = stack.procs, stack.tmp
        started = time.monotonic()
        settings = stack.start()
        fixture = asyncio.run(setup(settings, 5, args.buyers))
        extra = asyncio.run(_room_and_host(settings, fixture))
        print(
            f"setup: 1 host, {len(fixture.buyers)} funded buyers, a {quantity}-unit flash sale"
            f" (limit {args.limit}), {args.concurrency} connections,"
            f" {time.monotonic() - started:.1f}s; PostgreSQL durable (fsync on)",
            flush=True,
        )
        env = stack.env(PORT=str(free_port()))
        port = int(env["PORT"])
        server_cmd = [str(BIN / "livecommerce"), "serve", "--workers", "1"]
        base = {"host": HOST, "port": port, "concurrency": args.concurrency, "cpu": CLIENT_CPU}
        with procs.serving("ours", server_cmd, env, "/healthz", tmp / "server.log") as server:
            sale = _http(
                port,
                "POST",
                f"/api/rooms/{extra['room_id']}/flash-sales",
                extra["host_token"],
                {
                    "skuId": fixture.hot_sku,
                    "price": FLASH_PRICE,
                    "quantity": quantity,
                    "perUserLimit": args.limit,
                    "countdownSeconds": 10,
                    "windowMinutes": 20,
                },
            )
            _open_now(stack.db_url, stack.redis_url, sale)
            checkpoint(stack.db_url)
            print(f"running ours ({len(fixture.buyers)} buyers)...", flush=True)
            spy = None
            if args.profile:  # collapsed stacks of the server while ours runs
                spy = procs.start(
                    [
                        str(BIN / "py-spy"),
                        "record",
                        "--nonblocking",
                        "-r",
                        "100",
                        "-d",
                        "60",
                        "-f",
                        "raw",
                        "-o",
                        args.profile,
                        "--pid",
                        str(server.pid),
                    ],
                    cpu=CLIENT_CPU,
                    log=tmp / "pyspy.log",
                )
            with CpuSampler(lambda: [server.pid]) as srv:
                flash = procs.run_json(
                    "bench.flash_loadgen",
                    {
                        **base,
                        "mode": "flash",
                        "sale": sale["id"],
                        "buyers": fixture.buyers,
                        "two_step": args.two_step,
                    },
                    tmp,
                    "flash",
                    600,
                )
            if spy is not None:
                procs.stop(spy)
            errors = ", ".join(f"{k}: {v}" for k, v in sorted(flash["errors"].items()))
            results.append(
                Result(
                    "ours",
                    flash["checkouts_per_s"],
                    flash["p50_ms"],
                    flash["p99_ms"],
                    flash["error_total"],
                    f"{'place + pay' if args.two_step else 'one tap'}:"
                    f" {flash['paid']} paid, {flash['sold_out']} sold out, in"
                    f" {flash['selling_s']:.1f}s; cpu% srv {srv.percent:.0f}"
                    + (f"; {errors}" if errors else ""),
                    flash,
                )
            )
            checks = _checks(stack.db_url, sale["id"], quantity, len(fixture.buyers), args.limit)
            checks["paid_200"] = flash["paid"]
            checks["correct"] = checks["correct"] and flash["paid"] == checks["units_paid"]

            print(f"running http_ceiling (GET /api/me, {args.duration:g}s)...", flush=True)
            ceiling = procs.run_json(
                "bench.flash_loadgen",
                {
                    **base,
                    "mode": "ceiling",
                    "path": "/api/me",
                    "buyers": fixture.buyers,
                    "warmup": 1.0,
                    "duration": args.duration,
                },
                tmp,
                "ceiling",
                args.duration + 60,
            )
            results.append(
                Result(
                    "http_ceiling",
                    ceiling["requests_per_s"] / per_checkout,
                    errors=ceiling["error_total"],
                    notes=f"GET /api/me {ceiling['requests_per_s']:,.0f} req/s"
                    f" ÷ {per_checkout} request{'s' if per_checkout > 1 else ''}",
                )
            )

            print(f"running ordinary (place + pay, the hot SKU, {args.duration:g}s)...", flush=True)
            ordinary = procs.run_json(
                "bench.loadgen",
                {
                    **base,
                    "warmup": 1.0,
                    "duration": args.duration,
                    "buyers": fixture.buyers,
                    "skus": [fixture.hot_sku],
                    "run": f"ordinary-{secrets.token_hex(3)}",
                },
                tmp,
                "ordinary",
                args.duration + 90,
            )
            results.append(
                Result(
                    "ordinary",
                    ordinary["checkouts_per_s"],
                    ordinary["p50_ms"],
                    ordinary["p99_ms"],
                    ordinary["error_total"],
                    "POST /api/orders + pay on the same hot SKU",
                    ordinary,
                )
            )
        print(f"running limit_pg (pgbench, {args.duration:g}s)...", flush=True)
        checkpoint(stack.db_url)
        body = json.dumps({"pad": "x" * 900})
        results.append(_pgbench(stack, fixture, extra, args, body))
    if stack.interrupted:
        return 130

    def rate(name: str) -> float | None:
        found = next((r.rate for r in results if r.name == name), None)
        return round(found, 1) if found is not None else None

    ours, limit_pg, ceiling_rate, ordinary_rate = (
        rate("ours"),
        rate("limit_pg"),
        rate("http_ceiling"),
        rate("ordinary"),
    )
    limits = [x for x in (limit_pg, ceiling_rate) if x is not None]
    limit = min(limits) if limits else None
    results.append(Result("limit", limit, notes="min(limit_pg, http_ceiling)"))
    print_results(results, "checkouts/s")
    print(f"\nchecks: {json.dumps(checks)}")

    def over(other: float | None) -> float | None:
        return round(ours / other, 3) if ours is not None and other else None

    json_line(
        {
            **headline(
                ours,
                ordinary_rate,
                limit,
                "checkouts/s",
                bool(checks.get("correct")),
            ),
            "requests_per_checkout": per_checkout,
            "limit_pg": limit_pg,
            "http_ceiling": ceiling_rate,
            "ordinary": ordinary_rate,
            "ours_over_ordinary": over(ordinary_rate),
            "checks": checks,
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
