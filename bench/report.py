"""Every bench, three rounds interleaved, medians into bench/REPORT.md (`make bench`).

    .venv/bin/python -m bench.report [--rounds 3] [--only fanout,likes]

Each bench measures ours, its naive baseline and its physical limit in the same run (the
server under test pinned to core 0, load generators to core 1) and prints one JSON line
last. This runs the benches round-robin (fanout, likes, checkout, grab, settle, fanout,
…) so a slow minute of the machine falls on every bench alike, and reports medians.
The arguments below keep the whole run under ten minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCHES: dict[str, tuple[str, list[str], str]] = {
    # name: (module, arguments, what is measured). Shorter than each bench's defaults so that
    # three rounds of all five stay under ten minutes; run a bench alone for its full size.
    "fanout": (
        "bench.fanout",
        ["--n", "2000", "--step", "1.2"],
        "websocket frames/s to 2,000 viewers of one room",
    ),
    "likes": ("bench.likes", ["--n", "200", "--likes", "300"], "likes counted/s in a like storm"),
    "checkout": (
        "bench.checkout",
        ["--duration", "5", "--hot-duration", "0", "--no-hot"],
        "orders placed and paid/s",
    ),
    "grab": (
        "bench.grab",
        ["--duration", "4", "--warmup", "1.5"],
        "red-packet grabs answered/s (HTTP)",
    ),
    "settle": (
        "bench.settle",
        ["--orders", "10000", "--naive-orders", "1000"],
        "commissions settled/s (10,000 orders here; 100,000 alone)",
    ),
    "funnel": (
        "bench.funnel",
        ["--events", "500000", "--naive-timeout", "120"],
        "behaviour events ingested/s (500,000 here; 2,000,000 alone)",
    ),
    "outreach": (
        "bench.outreach",
        ["--members", "100000", "--naive-members", "5000"],
        "repurchase candidates found/s (100,000 members here; 1,000,000 alone)",
    ),
    # naive = the ordinary place+pay path on the same hot SKU; limit = min(pgbench, HTTP ceiling)
    "flash": (
        "bench.flash",
        ["--buyers", "2000", "--duration", "5"],
        "flash-sale checkouts paid/s (2,000 buyers, one SKU of one host)",
    ),
}
REPORT = Path(__file__).parent / "REPORT.md"


def run_once(name: str, timeout: float) -> dict[str, Any] | None:
    module, args, _ = BENCHES[name]
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", module, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        print(f"  {name}: timed out after {timeout:.0f} s", file=sys.stderr)
        return None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        print(f"  {name}: failed ({done.returncode})\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    result = json.loads(lines[-1])
    result["seconds"] = time.monotonic() - started
    print(
        f"  {name}: {result['ours']:,} {result['unit']} (naive {result['naive']:,}, "
        f"limit {result['limit']:,}) "
        f"in {result['seconds']:.0f} s",
        file=sys.stderr,
    )
    return result


def machine() -> str:
    cpu = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for tool in ("postgres", "redis-server"):
        path = shutil.which(tool)
        if path:
            out = subprocess.run(
                [path, "--version"], capture_output=True, text=True, check=False
            ).stdout.strip()
            versions.append(out.split(" sha=")[0])
    return (
        f"{cpu or platform.processor()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, "
        f"{platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
        + (f"; {'; '.join(versions)}" if versions else "")
    )


def median(values: list[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return statistics.median(found) if found else None


def write(results: dict[str, list[dict[str, Any]]], rounds: int) -> str:
    rows = []
    for name, runs in results.items():
        if not runs:
            rows.append(f"| {name} | {BENCHES[name][2]} | not measured | | | | | |")
            continue
        unit = runs[0]["unit"]
        ours, naive, limit = (median([r[k] for r in runs]) for k in ("ours", "naive", "limit"))
        over_limit, over_naive = (
            median([r.get("ours_over_limit") for r in runs]),
            median([r.get("ours_over_naive") for r in runs]),
        )
        correct = all(r.get("correct") for r in runs)
        rows.append(
            f"| {name} | {BENCHES[name][2]} | {ours:,.0f} | {naive:,.0f} | {limit:,.0f} | {unit} | "
            f"{over_limit if over_limit is not None else '-'} | "
            f"{over_naive if over_naive is not None else '-'} | "
            f"{'yes' if correct else '**no**'} ({len(runs)}/{rounds} runs) |"
        )
    body = "\n".join(
        [
            "# Benchmark report",
            "",
            f"Measured {dt.datetime.now().astimezone().date().isoformat()} by `make bench` on: "
            f"{machine()}.",
            "",
            f"Each bench ran {rounds} times, round-robin with the others; figures are medians. "
            "Within a run",
            "ours, the naive baseline and the physical limit are measured one after the other on "
            "the same",
            "machine, the server under test pinned to one core and the load generators to the "
            "other, over",
            "loopback. Ratios are medians of each run's own ratio.",
            "",
            "| bench | what | ours | naive | limit | unit | ours/limit | ours/naive | correct |",
            "|---|---|---:|---:|---:|---|---:|---:|---|",
            *rows,
            "",
            "What each baseline is: see the docstring at the top of each `bench/<name>.py`.",
            "",
            *extras(results),
            *(_measured_capacity() or capacity(results)),
        ]
    )
    REPORT.write_text(body)
    return body


def _median_of(runs: list[dict[str, Any]], key: str) -> float | None:
    return median([r.get(key) if isinstance(r.get(key), (int, float)) else None for r in runs])


def extras(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The figures a bench reports beside its headline (medians), where it reported them."""
    lines = []
    fanout = results.get("fanout") or []

    def fan(field: str, scenario: str) -> float | None:
        return median([(r.get(field) or {}).get(scenario) for r in fanout])

    tick, naive = fan("priority_events_s", "ours@tick"), fan("priority_events_s", "naive")
    if tick is not None:
        lines.append(
            "- fanout at the production tick (200 ms, chat mixed in and sampled): "
            f"{tick:,.0f} priority events/s "
            "delivered to every viewer"
            + (f", {tick / naive:,.1f}x naive's {naive:,.0f}" if naive else "")
            + "."
        )
    if (rss := fan("rss_kib", "ours")) is not None:
        lines.append(
            f"- fanout: {rss:.1f} KiB RSS per idle connection (ours), "
            f"against {fan('rss_kib', 'limit') or 0:.1f} for "
            f"the websockets server and {fan('rss_kib', 'naive') or 0:.1f} for the ChannelsPlugin."
        )
    if (cpu := fan("cpu_us", "ours")) is not None:
        lines.append(
            f"- fanout: {cpu:.1f} us of server CPU per frame delivered (ours), "
            f"{fan('cpu_us', 'limit') or 0:.1f} "
            "for `websockets.broadcast()`."
        )
    likes = results.get("likes") or []
    per_like = [r.get("commands_per_like") or {} for r in likes]
    if per_like and all("ours" in c for c in per_like):
        ours = median([c.get("ours") for c in per_like])
        naive = median([c.get("naive") for c in per_like])
        lines.append(
            f"- likes: {ours:.5f} Redis commands per like (ours) against {naive:.5f} (naive: "
            "one INCRBY per like)."
        )
    grab = results.get("grab") or []
    if (ws := _median_of(grab, "websocket")) is not None:
        lines.append(
            f"- grab over the room websocket: {ws:,.0f} grabs/s"
            + (
                f" ({x}x the HTTP ceiling)"
                if (x := _median_of(grab, "websocket_over_limit"))
                else ""
            )
            + "."
        )
    if (script := _median_of(grab, "limit_redis_script")) is not None:
        lines.append(
            f"- grab: Redis runs the grab script {script:,.0f} times/s (redis-benchmark, "
            "one Redis)."
        )
    funnel = results.get("funnel") or []
    if (ours_s := _median_of(funnel, "funnel_ours_s")) is not None:
        naive_s = _median_of(funnel, "funnel_naive_s")
        bound = any(r.get("funnel_naive_timed_out") for r in funnel)
        lines.append(
            f"- funnel: a 4-step funnel over {_median_of(funnel, 'events') or 0:,.0f} events in "
            f"{ours_s:.2f} s (ours, one pass) against {'more than ' if bound else ''}"
            f"{naive_s or 0:.1f} s for the chained self-join: "
            f"{_median_of(funnel, 'funnel_speedup') or 0:.1f}x"
            + (" (a lower bound)." if bound else ".")
        )
    outreach = results.get("outreach") or []
    if (ours_s := _median_of(outreach, "ours_s")) is not None:
        lines.append(
            f"- outreach: the repurchase sweep finds {_median_of(outreach, 'candidates') or 0:,.0f}"
            f" due reminders among {_median_of(outreach, 'members') or 0:,.0f} members and "
            f"{_median_of(outreach, 'orders') or 0:,.0f} orders in {ours_s:.2f} s (one statement, "
            f"a cursor in chunks) against {_median_of(outreach, 'limit_s') or 0:.2f} s for psql; "
            f"learning every product's cycle takes {_median_of(outreach, 'learn_s') or 0:.1f} s."
        )
    return ["## Other figures", "", *lines, ""] if lines else []


CAPACITY = "## Capacity this implies"
MEASURED_AT_SIZE = "python -m bench.fanout --viewers 10000"


def _measured_capacity() -> list[str]:
    """The capacity section as the report has it, when it was written from a run at 10,000
    sockets (`MEASURED_AT_SIZE`, minutes of its own, not part of `make bench`): a figure measured
    at that size is kept rather than replaced by an extrapolation from this run's 2,000."""
    if not REPORT.exists():
        return []
    _, found, section = REPORT.read_text().partition(CAPACITY)
    if not found or MEASURED_AT_SIZE not in section:
        return []
    return [CAPACITY + section.rstrip("\n"), ""]


def capacity(results: dict[str, list[dict[str, Any]]]) -> list[str]:
    """What the measured figures imply: viewers per core, and a million concurrent viewers.

    Each viewer gets one frame per tick (5/s); a frame is one socket write of the same bytes,
    so the fan-out figure (frames/s on one core) divided by 5 is the viewers one api process
    serves. Redis work per room is one pipeline (PUBLISH + the counters script) per process
    per tick, and each PUBLISH is delivered to every process holding that room: it grows with
    processes and ticks, never with viewers (DESIGN.md §2)."""
    frames = _median_of(results.get("fanout") or [], "ours")
    redis_ops = _median_of(
        results.get("likes") or [], "limit"
    )  # redis-benchmark INCR/s: one Redis's ceiling
    if not frames:
        return []
    ticks, target = 5, 1_000_000
    per_core = frames / ticks
    processes = -(-target // int(per_core))
    lines = [
        CAPACITY,
        "",
        "Extrapolated from the 2,000-viewer fan-out above; measure it at size with"
        f" `{MEASURED_AT_SIZE}`.",
        "",
        f"- One api process (one core) delivers {frames:,.0f} frames/s: at {ticks} ticks/s that is "
        f"**{per_core:,.0f} viewers per core** when every tick carries a frame (64-byte frames; "
        "a busy tick's frame "
        "is larger, so count on fewer when chat is heavy).",
        f"- **A million concurrent viewers**: {processes:,} api processes at full load, "
        f"{2 * processes:,} at 50 % "
        f"(the headroom we would run with), e.g. {-(-2 * processes // 16):,} machines of 16 cores.",
    ]
    if (
        rss := median([(r.get("rss_kib") or {}).get("ours") for r in results.get("fanout") or []])
    ) is not None:
        lines.append(
            f"- Memory: {rss:.1f} KiB per idle connection, {rss * target / 2**20:,.1f} GiB for a "
            "million sockets."
        )
    if redis_ops:
        # Worst case: the million in ONE room, every process holding it and publishing every tick.
        commands = processes * ticks * 2
        deliveries = processes * processes * ticks
        nodes = -(-(commands + deliveries) // int(redis_ops))
        lines.append(
            f"- Redis, worst case (the million in one room, on all {processes:,} processes, "
            "each publishing every tick): "
            f"{commands:,} commands/s + {deliveries:,} pub/sub deliveries/s against "
            f"{redis_ops:,.0f} ops/s measured for one "
            f"Redis here: **{nodes} Redis node{'s' if nodes > 1 else ''}** for that room; "
            "rooms shard by id across nodes "
            "(`{room:ID}` hash tags), so many rooms add nodes, not load on one. "
            "Likes add one counters call per process "
            "per tick, whatever the number of likes."
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default=",".join(BENCHES))
    parser.add_argument("--timeout", type=float, default=150.0, help="seconds per bench run")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n in BENCHES]
    available = [
        n for n in names if Path(__file__).with_name(f"{BENCHES[n][0].split('.')[1]}.py").exists()
    ]
    results: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    for round_no in range(args.rounds):
        print(f"round {round_no + 1}/{args.rounds}", file=sys.stderr)
        for name in available:
            if (found := run_once(name, args.timeout)) is not None:
                results[name].append(found)
    print(write(results, args.rounds))


if __name__ == "__main__":
    main()
