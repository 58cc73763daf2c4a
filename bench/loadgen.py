"""A minimal keep-alive HTTP/1.1 load generator for the checkout bench (place an order, then pay
it).

    .venv/bin/python -m bench.loadgen CONFIG.json   # prints one JSON object (the stats) on stdout

httpx costs ~100+ us of Python per request; on one core it would measure itself, not
the server. This client is an asyncio Protocol on uvloop: it writes prebuilt request
bytes and parses only the status line, Content-Length (or chunks) and the body.

CONFIG (written by bench/checkout.py):
    {"host": "127.0.0.1", "port": 8000, "concurrency": 32, "warmup": 2.0, "duration": 15.0,
     "buyers": [[user_id, "jwt"], ...], "skus": [sku_id, ...], "run": "tag", "cpu": 1}

Each of `concurrency` connections loops: POST /api/orders (fresh Idempotency-Key) and, on
201, POST /api/orders/{id}/pay {"method":"wallet"}, which must answer 200 with
order.status == "paid". A checkout counts in the window if it completes within
[warmup, warmup + duration]; the totals (for the correctness check) count every response.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import time
from collections import Counter
from typing import Any

import msgspec

from bench.harness import loadgen_main

_decode = msgspec.json.decode
# Every order ships somewhere (orders/addressing.py): one address typed inline, as a buyer would.
ADDRESS = msgspec.json.encode(
    {"name": "Li Lei", "phone": "13800138000", "line": "广东省 深圳市 南山区 科技园路 1 号"}
)


class HttpConnection(asyncio.Protocol):
    """One keep-alive connection; one request in flight at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"connection lost: {exc}"))

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.waiter is not None and not self.waiter.done():
            parsed = self._parse()
            if parsed is not None:
                self.waiter.set_result(parsed)

    def _parse(self) -> tuple[int, bytes] | None:
        buf = self.buf
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(buf[:end]).lower()
        status = int(head[9:12])
        start = end + 4
        at = head.find(b"\r\ncontent-length:")
        if at >= 0:
            line_end = head.find(b"\r\n", at + 2)
            length = int(head[at + 17 : line_end if line_end >= 0 else len(head)])
            if len(buf) < start + length:
                return None
            body = bytes(buf[start : start + length])
            del buf[: start + length]
            return status, body
        if b"transfer-encoding: chunked" in head:
            pos, parts = start, []
            while True:
                size_end = buf.find(b"\r\n", pos)
                if size_end < 0:
                    return None
                size = int(bytes(buf[pos:size_end]).split(b";")[0], 16)
                if len(buf) < size_end + 2 + size + 2:
                    return None
                parts.append(bytes(buf[size_end + 2 : size_end + 2 + size]))
                pos = size_end + 2 + size + 2
                if size == 0:
                    del buf[:pos]
                    return status, b"".join(parts)
        del buf[:start]  # no body (e.g. 204)
        return status, b""

    async def request(self, data: bytes, timeout: float) -> tuple[int, bytes]:
        if self.closed or self.transport is None:
            raise ConnectionError("closed")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        try:
            return await asyncio.wait_for(self.waiter, timeout)
        finally:
            self.waiter = None

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []  # seconds, checkouts completed inside the window
        self.window_ok = 0
        self.window_errors = 0
        self.errors: Counter[str] = Counter()
        self.placed_201 = 0
        self.pay_200 = 0
        self.pay_200_paid = 0
        self.sold_out = 0
        self.sample_place: bytes = b""
        self.sample_pay: bytes = b""


def _request(
    host: str, port: int, path: str, token: str, body: bytes, key: str | None = None
) -> bytes:
    extra = f"Idempotency-Key: {key}\r\n" if key else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n{extra}"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def _error_code(body: bytes) -> str:
    with contextlib.suppress(Exception):
        return str(_decode(body).get("code", ""))
    return ""


async def _client(
    index: int, cfg: dict[str, Any], stats: Stats, t_start: float, t_window: float, t_stop: float
) -> None:
    host, port, run = cfg["host"], cfg["port"], cfg.get("run", "r")
    buyers, skus = cfg["buyers"], cfg["skus"]
    timeout = float(cfg.get("timeout", 30.0))
    loop = asyncio.get_running_loop()
    rng = random.Random(index * 7919 + int(t_start))
    conn: HttpConnection | None = None
    counter = 0
    pay_body = b'{"method":"wallet"}'
    while time.perf_counter() < t_stop:
        try:
            if conn is None or conn.closed:
                _, conn = await loop.create_connection(HttpConnection, host, port)
            _buyer_id, token = buyers[rng.randrange(len(buyers))]
            sku = skus[rng.randrange(len(skus))]
            counter += 1
            began = time.perf_counter()
            body = b'{"items":[{"skuId":%d,"quantity":1}],"address":%s}' % (sku, ADDRESS)
            status, resp = await conn.request(
                _request(host, port, "/api/orders", token, body, f"{run}-{index}-{counter}"),
                timeout,
            )
            if status != 201:
                code = _error_code(resp)
                if status == 409 and code == "out_of_stock":
                    stats.sold_out += 1
                else:
                    stats.errors[f"place {status} {code}".strip()] += 1
                if began >= t_window:
                    stats.window_errors += 1
                continue
            stats.placed_201 += 1
            if not stats.sample_place:
                stats.sample_place = resp
            order_id = _decode(resp)["id"]
            status, resp = await conn.request(
                _request(host, port, f"/api/orders/{order_id}/pay", token, pay_body), timeout
            )
            done = time.perf_counter()
            if status != 200:
                stats.errors[f"pay {status} {_error_code(resp)}".strip()] += 1
                if began >= t_window:
                    stats.window_errors += 1
                continue
            stats.pay_200 += 1
            if _decode(resp)["order"]["status"] != "paid":
                stats.errors["pay 200 not paid"] += 1
                continue
            stats.pay_200_paid += 1
            if not stats.sample_pay:
                stats.sample_pay = resp
            if t_window <= done <= t_stop:
                stats.window_ok += 1
                stats.latencies.append(done - began)
        except (ConnectionError, OSError, TimeoutError) as exc:
            stats.errors[f"conn {type(exc).__name__}"] += 1
            if conn is not None:
                conn.close()
            conn = None
            await asyncio.sleep(0.01)
    if conn is not None:
        conn.close()


def _pct(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))] * 1000.0


async def run(cfg: dict[str, Any]) -> dict[str, Any]:
    stats = Stats()
    warmup, duration = float(cfg.get("warmup", 2.0)), float(cfg["duration"])
    t_start = time.perf_counter()
    t_window, t_stop = t_start + warmup, t_start + warmup + duration
    cpu0 = time.process_time()
    clients = [
        asyncio.create_task(_client(i, cfg, stats, t_start, t_window, t_stop))
        for i in range(int(cfg["concurrency"]))
    ]
    # In-flight checkouts finish after t_stop (they count in the totals, not in the window).
    _, pending = await asyncio.wait(
        clients, timeout=warmup + duration + float(cfg.get("drain", 30.0))
    )
    for task in pending:
        task.cancel()
        stats.errors["unfinished at drain"] += 1
    lat = sorted(stats.latencies)
    return {
        "checkouts_per_s": stats.window_ok / duration,
        "window_ok": stats.window_ok,
        "window_errors": stats.window_errors,
        "p50_ms": _pct(lat, 0.50),
        "p99_ms": _pct(lat, 0.99),
        "errors": dict(stats.errors),
        "error_total": sum(stats.errors.values()),
        "placed_201": stats.placed_201,
        "pay_200": stats.pay_200,
        "pay_200_paid": stats.pay_200_paid,
        "sold_out": stats.sold_out,
        "cpu_s": time.process_time() - cpu0,
        "wall_s": time.perf_counter() - t_start,
        "sample_place": stats.sample_place.decode(errors="replace"),
        "sample_pay": stats.sample_pay.decode(errors="replace"),
    }


def main(argv: list[str]) -> int:
    return loadgen_main(argv, run)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
