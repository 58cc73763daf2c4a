"""Red-packet grabs answered per second through the HTTP API: ours against a naive baseline and
the limits, measured in the same run.

    .venv/bin/python -m bench.grab [--duration 10] [--concurrency 32] [--packets 20] [--parts 100]
                                   [--only ours,naive,limit] [--keep]

Loopback only. A durable embedded PostgreSQL (fsync on) and an embedded Redis run in a temp
dir; one host, funded through the ledger, sends P red packets of N parts into one room; U
viewers with tokens grab them. Each request picks a random viewer and packet, so a storm is
what it is in a live room: a few wins (each committed to PostgreSQL with its wallet credit
before it is answered), then mostly "empty" and "again" (default 4 x 100 parts: 400 wins in
10-40k grabs, like the tests' storm of 10,000 grabs on 100 parts). The API server runs alone on
core 0 (`livecommerce serve --workers 1`); the load generator (bench/grab_loadgen.py) on core 1.

- ours:        POST /api/red-packets/{id}/grab: JWT auth, one Lua script, PostgreSQL for wins.
               The viewers are in the room when the packet drops: before the clock starts each
               has made one request (GET /api/me, untimed), as loading the room does, so the
               storm meets tokens this process has verified (its answers age out after 10 s).
- naive:       bench/grab_naive.py: check-then-write Redis round trips, no script, autocommit
               wins. Throughput, and over-grabs (viewers told they won a part someone else got).
- limit-http:  GET /healthz on the same server (our app, one process): a trivial endpoint behind
               the same middleware (request id, metrics), without auth or I/O. The HTTP ceiling;
               the target is ours >= 0.6 x this.
- limit-bare:  POST /trivial on a bare Litestar app (bench/grab_naive.py, no middleware): for scale.
- limit-redis: redis-benchmark calling the same Lua script by SHA on a fresh packet: Redis's
               ceiling.
- websocket:   the same grab as a `grab` frame on the room's websocket (`/ws/rooms/{id}`), same
               server: W sockets, each its own logged-in viewer with one grab in flight, paced
               under the viewer's token bucket (8/s each; the server's buckets and its cap of 5
               sockets are per viewer, so --users >= --ws-sockets); answered by `grab_result`.
               Checked against PostgreSQL like ours.

After ours: every win answered is a part in PostgreSQL with that viewer and amount, no packet has
more winners than parts, parts sum to the total, the ledger balances. The last line is the JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
os.environ.setdefault("PICCOLO_CONF", "livecommerce.piccolo_conf")

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
    free_port,
    on_db,
    pg_pids,
    sql,
)
from bench.ledger_checks import check_ledger  # noqa: E402

PACKET_TOTAL = 10_000  # fen per packet


@dataclass
class Fixture:
    host_id: int
    room_id: int
    users: list[tuple[int, str]]
    ours: list[int]  # packets grabbed through our API
    naive: list[int]  # packets grabbed through the naive server
    ws: list[int]  # packets grabbed over the room's websocket
    lua_keys: list[str]  # a fresh packet's keys for redis-benchmark
    now: float


async def setup(settings: Any, n_users: int, n_packets: int, n_parts: int) -> Fixture:
    """Migrate; a funded host with a room and 3 x P + 1 packets; U viewers with tokens."""
    from livecommerce.domains import ledger
    from livecommerce.domains.ledger import Kind
    from livecommerce.domains.promotions import live_state, red_packets
    from livecommerce.domains.promotions.schemas import SendRedPacket
    from livecommerce.infra import db
    from livecommerce.infra import redis as redis_infra
    from livecommerce.infra.auth import build_jwt_auth, hash_password

    await db.migrate(settings)
    await db.start_pool(settings)
    redis = redis_infra.connect(settings.redis_url)
    try:
        password_hash = await hash_password("bench-" + secrets.token_hex(8))
        async with db.transaction() as tx:
            conn = tx.conn
            host_id = await conn.fetchval(
                "INSERT INTO users (username, display_name, password_hash, roles, created_at, "
                "roles_changed_at)"
                " VALUES ('bench_host', 'Bench Host', $1, ARRAY['host'], now(), now())"
                " RETURNING id",
                password_hash,
            )
            room_id = await conn.fetchval(
                "INSERT INTO rooms (host_id, title, description, cover_url, slow_mode_seconds, "
                "created_at)"
                " VALUES ($1, 'Grab storm', '', '', 0, now()) RETURNING id",
                host_id,
            )
            user_ids = [
                r["id"]
                for r in await conn.fetch(
                    "INSERT INTO users (username, display_name, password_hash, roles, created_at, "
                    "roles_changed_at)"
                    " SELECT 'bench_viewer_' || g, 'Viewer ' || g, $1, '{}', now(), now()"
                    " FROM generate_series(1, $2) g ORDER BY g RETURNING id",
                    password_hash,
                    n_users,
                )
            ]
            gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
            wallet = await ledger.account_id(conn, host_id, Kind.WALLET)
            funds = (3 * n_packets + 1) * PACKET_TOTAL
            await ledger.post(
                conn, "bench:fund:host", "topup", [(gateway, -funds), (wallet, funds)]
            )
        body = SendRedPacket(total_amount=PACKET_TOTAL, count=n_parts, greeting="bench")
        packets = [
            (await red_packets.send_red_packet(redis, host_id, room_id, body)).id
            for _ in range(3 * n_packets + 1)
        ]
        ours, naive, ws = (
            packets[:n_packets],
            packets[n_packets : 2 * n_packets],
            packets[2 * n_packets : 3 * n_packets],
        )
        lua_packet = packets[-1]
        async with (
            db.connection() as conn
        ):  # the naive server's Redis state: a list of parts and a `left` counter
            for packet_id in naive:
                rows = await conn.fetch(
                    "SELECT idx, amount FROM red_packet_parts WHERE packet_id = $1 ORDER BY idx",
                    packet_id,
                )
                await redis.rpush(
                    f"naive:{packet_id}:parts", *[f"{r['idx']}:{r['amount']}" for r in rows]
                )
                await redis.set(f"naive:{packet_id}:left", len(rows))
            await conn.execute("VACUUM ANALYZE")
            await conn.execute("CHECKPOINT")
        await redis.script_load((live_state.LUA_DIR / "red_packet_grab.lua").read_text())
        lua_keys = [*live_state.packet_keys(room_id, lua_packet), live_state.joined_key(room_id)]
    finally:
        await redis.aclose()
        await db.close_pool()
    jwt_auth = build_jwt_auth(settings)
    users = [
        (
            uid,
            jwt_auth.create_token(
                identifier=str(uid),
                token_unique_jwt_id=f"t{uid}-bench",
                token_extras={"roles": [], "username": f"bench_viewer_{uid}"},
            ),
        )
        for uid in user_ids
    ]
    return Fixture(
        host_id=host_id,
        room_id=room_id,
        users=users,
        ours=ours,
        naive=naive,
        ws=ws,
        lua_keys=lua_keys,
        now=time.time(),
    )


# --- checks ---------------------------------------------------------------------------------------


def check_wins(
    db_url: str, packets: list[int], wins: list[list[int]], n_parts: int
) -> dict[str, int]:
    """Over-grabs and lost wins, from the answers and PostgreSQL (all 0 when correct)."""
    ids = ",".join(str(p) for p in packets)
    stored, per_packet = sql(
        db_url,
        "SELECT packet_id, user_id, amount FROM red_packet_parts"
        f" WHERE packet_id IN ({ids}) AND user_id IS NOT NULL",
        "SELECT packet_id, count(*), SUM(amount) FROM red_packet_parts"
        f" WHERE packet_id IN ({ids}) GROUP BY packet_id",
    )
    ledger = on_db(db_url, check_ledger)
    in_pg = {(packet, user): amount for packet, user, amount in stored}
    told: dict[tuple[int, int], int] = {}
    duplicate_answers = 0
    for user, packet, amount in wins:
        if (packet, user) in told:
            duplicate_answers += 1  # the same viewer told twice that a new part was won
        told[(packet, user)] = amount
    won_per_packet: dict[int, int] = {}
    for packet, _user in told:
        won_per_packet[packet] = won_per_packet.get(packet, 0) + 1
    return {
        "wins_answered": len(wins),
        "wins_in_postgresql": len(in_pg),
        "over_grabs": sum(max(0, n - n_parts) for n in won_per_packet.values()) + duplicate_answers,
        "wins_not_in_postgresql": sum(
            1 for key, amount in told.items() if in_pg.get(key) != amount
        ),
        "packets_not_summing": sum(
            1 for _, count, total in per_packet if count != n_parts or total != PACKET_TOTAL
        ),
        "unbalanced_ledger_txns": ledger.unbalanced_txns,
    }


def wins_correct(result: Result, checked: dict[str, int]) -> bool:
    """No errors, no over-grab, every win answered is in PostgreSQL, the ledger balances."""
    broken = ("over_grabs", "wins_not_in_postgresql", "packets_not_summing")
    return (
        result.errors == 0
        and all(checked[k] == 0 for k in (*broken, "unbalanced_ledger_txns"))
        and checked["wins_answered"] == checked["wins_in_postgresql"]
    )


# --- scenarios -----------------------------------------------------------------------------------


def run_loadgen(
    procs: Procs,
    tmp: Path,
    port: int,
    users: list[tuple[int, str]],
    packets: list[int],
    path: str,
    args: argparse.Namespace,
    run: str,
) -> dict[str, Any]:
    method, _, path = path.rpartition(" ")
    cfg = {
        "host": HOST,
        "port": port,
        "concurrency": args.concurrency,
        "warmup": args.warmup,
        "duration": args.duration,
        "users": users,
        "packets": packets,
        "path": path,
        "method": method or "POST",
        "cpu": CLIENT_CPU,
    }
    if run.startswith("ours-"):  # the viewers are in the room: each has loaded it once (untimed)
        cfg["seen_path"] = "/api/me"
    if (
        method == "WS"
    ):  # "WS {room_id}": one socket per viewer; every socket joins before the clock starts
        cfg.update(ws_room=int(path), concurrency=args.ws_sockets, ws_rate=args.ws_rate)
    return procs.run_json("bench.grab_loadgen", cfg, tmp, run, args.warmup + args.duration + 120)


def http_scenario(
    name: str,
    argv: list[str],
    env: dict[str, str],
    health: str,
    path: str,
    packets: list[int],
    procs: Procs,
    tmp: Path,
    fixture: Fixture,
    args: argparse.Namespace,
    pg_pid: int,
    db_url: str,
) -> Result:
    port = int(env["PORT"])
    print(f"running {name} ({args.warmup:g}s warm-up + {args.duration:g}s)...", flush=True)
    with procs.serving(name, argv, env, health, tmp / f"server-{name}.log") as server:
        checkpoint(db_url)
        with CpuSampler(lambda: [server.pid]) as srv, CpuSampler(lambda: pg_pids(pg_pid)) as pgs:
            stats = run_loadgen(
                procs,
                tmp,
                port,
                fixture.users,
                packets,
                path,
                args,
                f"{name}-{secrets.token_hex(3)}",
            )
    cli_cpu = stats["cpu_s"] / stats["wall_s"] * 100
    p50s = stats.get("p50_ms_by_outcome", {})
    outcomes = ", ".join(
        f"{k} {v:,}" + (f" (p50 {p50s[k]} ms)" if k in p50s else "")
        for k, v in sorted(stats["outcomes"].items())
    )
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(stats["errors"].items()))
    notes = (
        f"cpu% srv {srv.percent:.0f} pg {pgs.percent:.0f} cli {cli_cpu:.0f}"
        + (f"; {outcomes}" if outcomes else "")
        + (f"; errors {errors}" if errors else "")
    )
    return Result(
        name, stats["per_s"], stats["p50_ms"], stats["p99_ms"], stats["error_total"], notes, stats
    )


def redis_scenario(
    procs: Procs, tmp: Path, redis_port: int, fixture: Fixture, args: argparse.Namespace
) -> Result:
    """redis-benchmark calling the grab script by SHA: random viewers on one fresh packet, the
    same clients."""
    tool = shutil.which("redis-benchmark")
    if tool is None:
        return Result("limit-redis", None, notes="redis-benchmark not found")
    from livecommerce.domains.promotions import live_state

    sha = hashlib.sha1((live_state.LUA_DIR / "red_packet_grab.lua").read_bytes()).hexdigest()
    requests = max(50_000, int(args.duration * 40_000))
    argv = [
        tool,
        "-h",
        HOST,
        "-p",
        str(redis_port),
        "-c",
        str(args.concurrency),
        "-n",
        str(requests),
        "-r",
        str(len(fixture.users)),
        "--csv",
        "EVALSHA",
        sha,
        "4",
        *fixture.lua_keys,
        "__rand_int__",
        f"{fixture.now:.0f}",
    ]
    print(f"running limit-redis (redis-benchmark, {requests:,} script calls)...", flush=True)
    out = tmp / "redis-benchmark.out"
    code = procs.run(argv, cpu=CLIENT_CPU, log=out, timeout=300)
    text = out.read_text(errors="replace")
    found = re.search(r'^"EVALSHA[^"]*","([\d.]+)"', text, re.MULTILINE)
    if code != 0 or found is None:
        return Result(
            "limit-redis", None, notes=f"redis-benchmark failed ({code}): {text.strip()[-300:]}"
        )
    return Result(
        "limit-redis",
        float(found.group(1)),
        notes=f"redis-benchmark -c {args.concurrency}, EVALSHA of red_packet_grab.lua",
    )


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.grab", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--duration", type=float, default=10.0, help="seconds measured per HTTP scenario"
    )
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument(
        "--concurrency",
        "-c",
        type=int,
        default=32,
        help="HTTP connections / redis-benchmark clients",
    )
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument(
        "--packets",
        type=int,
        default=4,
        help=(
            "red packets per grab scenario (4 x 100 parts: ~1-4 %% of the grabs win, as in a storm)"
        ),
    )
    parser.add_argument("--parts", type=int, default=100, help="parts per red packet")
    parser.add_argument(
        "--ws-sockets",
        type=int,
        default=2000,
        help="room sockets (one viewer each) for the websocket scenario",
    )
    parser.add_argument(
        "--ws-rate",
        type=float,
        default=8.0,
        help="grabs/s per socket, under the server's per-viewer bucket (10/s, burst 20)",
    )
    parser.add_argument(
        "--only",
        default="ours,websocket,naive,limit",
        help="comma list of: ours, websocket, naive, limit",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp dir (logs) and print its path"
    )
    parser.add_argument(
        "--profile",
        default="",
        help="run ours under cProfile, writing FILE.prof (py-spy is not installed here)",
    )
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    if "websocket" in only and args.ws_sockets > args.users:  # they would share buckets
        parser.error("--ws-sockets needs as many --users: the server limits grabs per viewer")

    pin(CLIENT_CPU)
    raise_fd_limit()
    results: list[Result] = []
    checks: dict[str, Any] = {}
    correct: bool | None = None
    with Stack("grab", keep=args.keep) as stack:
        procs, tmp = stack.procs, stack.tmp
        t_setup = time.monotonic()
        settings = stack.start()
        pg, db_url = stack.pg, stack.db_url
        fixture = asyncio.run(setup(settings, args.users, args.packets, args.parts))
        print(
            f"setup: {len(fixture.users)} viewers, {args.packets} packets x {args.parts} parts per "
            "scenario, "
            f"{args.concurrency} connections, {time.monotonic() - t_setup:.1f}s; "
            "PostgreSQL durable (fsync on)",
            flush=True,
        )
        ours_cmd = [str(BIN / "livecommerce"), "serve", "--workers", "1"]
        if args.profile:
            ours_cmd = [
                sys.executable,
                "-m",
                "cProfile",
                "-o",
                args.profile,
                "-m",
                "uvicorn",
                "livecommerce.app:create_app_from_env",
                "--factory",
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--log-level",
                "warning",
                "--port",
                "{port}",
            ]
        naive_cmd = [sys.executable, "-m", "bench.grab_naive"]

        def scenario(
            name: str, cmd: list[str], health: str, path: str, packets: list[int]
        ) -> Result:
            env = stack.env(PORT=str(free_port()))
            cmd = [part.replace("{port}", env["PORT"]) for part in cmd]
            result = http_scenario(
                name,
                cmd,
                env,
                health,
                path,
                packets,
                procs,
                tmp,
                fixture,
                args,
                pg.proc.pid,
                db_url,
            )
            results.append(result)
            return result

        grab_path = "/api/red-packets/{}/grab"
        if "ours" in only:
            r = scenario("ours", ours_cmd, "/healthz", grab_path, fixture.ours)
            checks["ours"] = check_wins(db_url, fixture.ours, r.raw["wins"], args.parts)
            c = checks["ours"]
            correct = wins_correct(r, c)
            r.notes = f"correct={str(correct).lower()}, over-grabs {c['over_grabs']}; " + r.notes
        if "websocket" in only:
            r = scenario("websocket", ours_cmd, "/healthz", f"WS {fixture.room_id}", fixture.ws)
            checks["websocket"] = c = check_wins(db_url, fixture.ws, r.raw["wins"], args.parts)
            ws_correct = wins_correct(r, c)
            correct = ws_correct if correct is None else (correct and ws_correct)
            r.notes = (
                f"correct={str(ws_correct).lower()}, over-grabs {c['over_grabs']}, "
                f"{args.ws_sockets} sockets; " + r.notes
            )
        if "naive" in only:
            r = scenario("naive", naive_cmd, "/trivial", grab_path, fixture.naive)
            checks["naive"] = check_wins(db_url, fixture.naive, r.raw["wins"], args.parts)
            c = checks["naive"]
            r.notes = (
                f"over-grabs {c['over_grabs']}, wins not in PostgreSQL "
                f"{c['wins_not_in_postgresql']}; " + r.notes
            )
        if "limit" in only:
            scenario("limit-http", ours_cmd, "/healthz", "GET /healthz", [])
            scenario("limit-bare", naive_cmd, "/trivial", "/trivial", [])
            results.append(redis_scenario(procs, tmp, stack.redis.port, fixture, args))
    if stack.interrupted:
        return 130

    print_results(results, "grabs/s")
    for name, found in checks.items():
        print(f"checks {name}:", json.dumps(found, sort_keys=False))

    ours, naive, limit = (rate_of(results, n) for n in ("ours", "naive", "limit-http"))
    websocket = rate_of(results, "websocket")
    json_line(
        headline(
            ours,
            naive,
            limit,
            "grabs/s",
            bool(correct),
            limit_redis_script=rate_of(results, "limit-redis"),
            naive_over_grabs=checks.get("naive", {}).get("over_grabs"),
            websocket=websocket,
            websocket_over_limit=round(websocket / limit, 3) if websocket and limit else None,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
