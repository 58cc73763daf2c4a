"""The flash bench's load generator (bench/flash.py): every buyer once, or a trivial endpoint.

    .venv/bin/python -m bench.flash_loadgen CONFIG.json   # one JSON object (the stats) on stdout

CONFIG: {"host", "port", "concurrency", "buyers": [[user_id, "jwt"], ...], "mode", "cpu", ...}

- mode "flash" (`sale`): `concurrency` keep-alive connections share the buyers; each buyer
  POSTs /api/flash-sales/{sale}/orders once (fresh Idempotency-Key) with `payWith: "wallet"`
  (one tap: the 201 must be the order with status "paid"); with `two_step` it places without
  it and, on 201, pays from the wallet (POST /api/orders/{id}/pay, 200 with order.status
  "paid"), as the room did before one tap. The rate is paid checkouts over the time from the
  first request to the last paid one.
- mode "ceiling" (`path`, `warmup`, `duration`): GET `path` (an authenticated endpoint) in a
  loop on every connection; 200s per second in the window.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from typing import Any

import msgspec

from bench.harness import loadgen_main
from bench.loadgen import ADDRESS, HttpConnection, _error_code, _pct, _request

_decode = msgspec.json.decode


def _get(host: str, port: int, path: str, token: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n\r\n"
    ).encode()


async def _flash(cfg: dict[str, Any]) -> dict[str, Any]:
    host, port, sale = cfg["host"], cfg["port"], cfg["sale"]
    queue = list(reversed(cfg["buyers"]))
    timeout = float(cfg.get("timeout", 60.0))
    errors: Counter[str] = Counter()
    paid_at: list[float] = []
    latencies: list[float] = []
    counts = Counter[str]()
    two_step = bool(cfg.get("two_step"))
    body = (
        b'{"quantity":1,"address":%s}' % ADDRESS
        if two_step
        else b'{"quantity":1,"address":%s,"payWith":"wallet"}' % ADDRESS
    )
    pay_body = b'{"method":"wallet"}'
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()

    async def client(index: int) -> None:
        conn: HttpConnection | None = None
        while queue:
            buyer_id, token = queue.pop()
            began = time.perf_counter()
            try:
                if conn is None or conn.closed:
                    _, conn = await loop.create_connection(HttpConnection, host, port)
                status, resp = await conn.request(
                    _request(
                        host, port, f"/api/flash-sales/{sale}/orders", token, body, f"f{buyer_id}"
                    ),
                    timeout,
                )
                if status != 201:
                    code = _error_code(resp)
                    sold_out = code == "flash_sold_out"
                    counts["sold_out" if sold_out else f"place {status} {code}"] += 1
                    continue
                counts["placed_201"] += 1
                order = _decode(resp)
                if two_step:
                    status, resp = await conn.request(
                        _request(host, port, f"/api/orders/{order['id']}/pay", token, pay_body),
                        timeout,
                    )
                    order = _decode(resp)["order"] if status == 200 else {}
                if order.get("status") != "paid":
                    errors[f"pay {status} {_error_code(resp)}".strip()] += 1
                    continue
                done = time.perf_counter()
                paid_at.append(done)
                latencies.append(done - began)
            except (ConnectionError, OSError, TimeoutError) as exc:
                errors[f"conn {type(exc).__name__}"] += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    cpu0 = time.process_time()
    await asyncio.gather(*(client(i) for i in range(int(cfg["concurrency"]))))
    wall = time.perf_counter() - t0
    selling = (max(paid_at) - t0) if paid_at else wall
    lat = sorted(latencies)
    unexpected = {k: v for k, v in counts.items() if k not in ("placed_201", "sold_out")}
    errors.update(unexpected)
    return {
        "checkouts_per_s": len(paid_at) / selling if selling > 0 else 0.0,
        "paid": len(paid_at),
        "placed_201": counts["placed_201"],
        "sold_out": counts["sold_out"],
        "selling_s": selling,
        "wall_s": wall,
        "cpu_s": time.process_time() - cpu0,
        "p50_ms": _pct(lat, 0.50),
        "p99_ms": _pct(lat, 0.99),
        "errors": dict(errors),
        "error_total": sum(errors.values()),
    }


async def _ceiling(cfg: dict[str, Any]) -> dict[str, Any]:
    host, port, path = cfg["host"], cfg["port"], cfg["path"]
    buyers = cfg["buyers"]
    warmup, duration = float(cfg.get("warmup", 1.0)), float(cfg["duration"])
    t0 = time.perf_counter()
    t_window, t_stop = t0 + warmup, t0 + warmup + duration
    ok = 0
    errors: Counter[str] = Counter()
    loop = asyncio.get_running_loop()

    async def client(index: int) -> None:
        nonlocal ok
        conn: HttpConnection | None = None
        request = _get(host, port, path, buyers[index % len(buyers)][1])
        while time.perf_counter() < t_stop:
            try:
                if conn is None or conn.closed:
                    _, conn = await loop.create_connection(HttpConnection, host, port)
                status, _ = await conn.request(request, 30.0)
                if status == 200:
                    if t_window <= time.perf_counter() <= t_stop:
                        ok += 1
                else:
                    errors[f"{status}"] += 1
            except (ConnectionError, OSError, TimeoutError) as exc:
                errors[f"conn {type(exc).__name__}"] += 1
                conn = None
        if conn is not None:
            conn.close()

    cpu0 = time.process_time()
    await asyncio.gather(*(client(i) for i in range(int(cfg["concurrency"]))))
    return {
        "requests_per_s": ok / duration,
        "ok": ok,
        "errors": dict(errors),
        "error_total": sum(errors.values()),
        "cpu_s": time.process_time() - cpu0,
        "wall_s": time.perf_counter() - t0,
    }


async def run(cfg: dict[str, Any]) -> dict[str, Any]:
    return await (_flash(cfg) if cfg["mode"] == "flash" else _ceiling(cfg))


def main(argv: list[str]) -> int:
    return loadgen_main(argv, run)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
