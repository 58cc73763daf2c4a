"""The grab bench's load generator: keep-alive HTTP/1.1 connections that each loop one grab
after another.

    .venv/bin/python -m bench.grab_loadgen CONFIG.json   # prints one JSON object (the stats)

CONFIG: {"host", "port", "concurrency", "warmup", "duration", "users": [[id, "jwt"], ...],
"packets": [id, ...], "path": "/api/red-packets/{}/grab" (or a trivial endpoint), "method": "POST",
"cpu": 1, "seen_path": "/api/me" (optional: each user GETs it once, untimed, before the storm)}.
Each request picks a random user and packet.

With "ws_room": ID the grabs go over the room's websocket instead: `concurrency` sockets, each
logged in as its own viewer (a socket is one person), each with one `grab` frame in flight,
answered by a `grab_result` (or an `error`) frame. A socket is paced to `ws_rate` grabs/s,
under the per-viewer token bucket the server applies to grabs, so what is measured is the
server's grab path, not its flood refusal. A grab counts in the window if it is answered
200 within [warmup, warmup + duration]; every first win (outcome won, not again) is listed
as [user, packet, amount] so the bench can check each one against PostgreSQL.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections import Counter
from typing import Any

import msgspec

from bench.common import WsClient
from bench.harness import loadgen_main
from bench.loadgen import HttpConnection, _pct

_decode = msgspec.json.decode


def _request(method: str, host: str, port: int, path: str, token: str) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    length = "Content-Length: 0\r\n" if method == "POST" else ""
    return f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{auth}{length}\r\n".encode()


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.window_ok = 0
        self.total_ok = 0
        self.outcomes: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.wins: list[list[int]] = []
        self.by_outcome: dict[str, list[float]] = {}


async def _client(
    index: int, cfg: dict[str, Any], stats: Stats, t_window: float, t_stop: float
) -> None:
    host, port, path = cfg["host"], cfg["port"], cfg["path"]
    users, packets = cfg["users"], cfg["packets"] or [0]
    timeout = float(cfg.get("timeout", 30.0))
    loop = asyncio.get_running_loop()
    rng = random.Random(index * 7919 + 17)
    # Requests are prebuilt per (user, packet) lazily: the client spends its time on the wire,
    # not in f-strings.
    cache: dict[tuple[int, int], bytes] = {}
    conn: HttpConnection | None = None
    while time.perf_counter() < t_stop:
        try:
            if conn is None or conn.closed:
                _, conn = await loop.create_connection(HttpConnection, host, port)
            u = rng.randrange(len(users))
            p = packets[rng.randrange(len(packets))]
            data = cache.get((u, p))
            if data is None:
                data = cache[(u, p)] = _request(
                    cfg.get("method", "POST"),
                    host,
                    port,
                    path.format(p),
                    users[u][1] if "{}" in path else "",
                )
            began = time.perf_counter()
            status, body = await conn.request(data, timeout)
            done = time.perf_counter()
            if status != 200:
                stats.errors[f"{status} {body[:80].decode(errors='replace')}"] += 1
                continue
            stats.total_ok += 1
            if "{}" in path:
                answer = _decode(body)
                outcome = "again" if answer.get("again") else answer["outcome"]
                stats.outcomes[outcome] += 1
                if outcome == "won":
                    stats.wins.append([users[u][0], p, answer["amount"]])
            if t_window <= began and done <= t_stop:
                stats.window_ok += 1
                stats.latencies.append(done - began)
                if "{}" in path:
                    stats.by_outcome.setdefault(outcome, []).append(done - began)
        except (ConnectionError, OSError, TimeoutError) as exc:
            stats.errors[f"conn {type(exc).__name__}"] += 1
            if conn is not None:
                conn.close()
            conn = None
            await asyncio.sleep(0.01)
    if conn is not None:
        conn.close()


class _GrabSocket(WsClient):
    """A room socket of one viewer: one grab frame in flight, its answer resolves `waiter`."""

    def __init__(self, host: str, port: int, room_id: int, token: str) -> None:
        super().__init__(host, port, f"/ws/rooms/{room_id}", _GrabSocket._on_text)
        head = self.request.decode().rstrip("\r\n")
        self.request = f"{head}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
        self.waiter: asyncio.Future[dict[str, Any]] | None = None

    def _on_text(self, payload: bytes) -> None:
        if (
            self.waiter is None
            or self.waiter.done()
            or not payload.startswith((b'{"type":"grab_result"', b'{"type":"error"'))
        ):
            return  # the snapshot and the room's ticks
        self.waiter.set_result(_decode(payload))

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(f"socket closed ({self.close_code})"))


async def _ws_connect(
    index: int, cfg: dict[str, Any], stats: Stats, gate: asyncio.Semaphore
) -> _GrabSocket | None:
    _, token = cfg["users"][index % len(cfg["users"])]
    loop = asyncio.get_running_loop()
    async with gate:
        try:
            _, sock = await loop.create_connection(
                lambda: _GrabSocket(cfg["host"], cfg["port"], cfg["ws_room"], token),
                cfg["host"],
                cfg["port"],
            )
            await sock.upgraded
        except (ConnectionError, OSError) as exc:
            stats.errors[f"connect {type(exc).__name__}"] += 1
            return None
    return sock


async def _ws_client(
    index: int, sock: _GrabSocket, cfg: dict[str, Any], stats: Stats, t_window: float, t_stop: float
) -> None:
    user_id = cfg["users"][index % len(cfg["users"])][0]
    packets = cfg["packets"]
    loop = asyncio.get_running_loop()
    rng = random.Random(index * 7919 + 17)
    gap = 1.0 / float(cfg.get("ws_rate", 8.0))
    next_at = time.perf_counter() + rng.random() * gap  # spread the sockets over the first gap
    try:
        while time.perf_counter() < t_stop and not sock.closed:
            if (wait := next_at - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            next_at = max(
                next_at + gap, time.perf_counter()
            )  # never catch up in a burst past the bucket
            packet = packets[rng.randrange(len(packets))]
            sock.waiter = loop.create_future()
            began = time.perf_counter()
            sock.send_frame(1, b'{"type":"grab","redPacketId":%d}' % packet)
            try:
                answer = await asyncio.wait_for(sock.waiter, 30.0)
            except (ConnectionError, TimeoutError) as exc:
                stats.errors[f"ws {exc}"] += 1
                break
            done = time.perf_counter()
            if answer.get("type") != "grab_result":
                stats.errors[f"error {answer.get('code')}"] += 1
                continue
            stats.total_ok += 1
            outcome = "again" if answer.get("again") else answer["outcome"]
            stats.outcomes[outcome] += 1
            if outcome == "won":
                stats.wins.append([user_id, packet, answer["amount"]])
            if t_window <= began and done <= t_stop:
                stats.window_ok += 1
                stats.latencies.append(done - began)
                stats.by_outcome.setdefault(outcome, []).append(done - began)
    finally:
        if sock.transport is not None:
            sock.transport.close()


async def _ws_clients(
    cfg: dict[str, Any], stats: Stats
) -> tuple[list[asyncio.Task[None]], float, float]:
    """Every socket joins the room first (the joins are not what is measured), then they grab."""
    gate = asyncio.Semaphore(100)
    socks = await asyncio.gather(
        *(_ws_connect(i, cfg, stats, gate) for i in range(int(cfg["concurrency"])))
    )
    t_window = time.perf_counter() + float(cfg.get("warmup", 2.0))
    t_stop = t_window + float(cfg["duration"])
    tasks = [
        asyncio.create_task(_ws_client(i, sock, cfg, stats, t_window, t_stop))
        for i, sock in enumerate(socks)
        if sock
    ]
    return tasks, t_window, t_stop


async def _viewers_in_the_room(cfg: dict[str, Any]) -> None:
    """Every viewer has loaded the room before its red packet drops: one authenticated GET of
    `seen_path` each, untimed, so the storm meets tokens the process has seen, as in a live room
    (a grab is never a viewer's first request)."""
    host, port, path = cfg["host"], cfg["port"], cfg["seen_path"]
    queue = list(cfg["users"])
    loop = asyncio.get_running_loop()

    async def one() -> None:
        _, conn = await loop.create_connection(HttpConnection, host, port)
        try:
            while queue:
                _, token = queue.pop()
                await conn.request(_request("GET", host, port, path, token), 30.0)
        finally:
            conn.close()

    await asyncio.gather(*(one() for _ in range(int(cfg["concurrency"]))))


async def run(cfg: dict[str, Any]) -> dict[str, Any]:
    stats = Stats()
    if cfg.get("seen_path") and not cfg.get("ws_room"):
        await _viewers_in_the_room(cfg)
    warmup, duration = float(cfg.get("warmup", 2.0)), float(cfg["duration"])
    t_start = time.perf_counter()
    t_window, t_stop = t_start + warmup, t_start + warmup + duration
    cpu0 = time.process_time()
    if cfg.get("ws_room"):
        clients, t_window, t_stop = await _ws_clients(cfg, stats)
    else:
        clients = [
            asyncio.create_task(_client(i, cfg, stats, t_window, t_stop))
            for i in range(int(cfg["concurrency"]))
        ]
    _, pending = await asyncio.wait(clients, timeout=warmup + duration + 30)
    for task in pending:
        task.cancel()
        stats.errors["unfinished at drain"] += 1
    lat = sorted(stats.latencies)
    return {
        "per_s": stats.window_ok / duration,
        "window_ok": stats.window_ok,
        "total_ok": stats.total_ok,
        "p50_ms": _pct(lat, 0.50),
        "p99_ms": _pct(lat, 0.99),
        "outcomes": dict(stats.outcomes),
        "p50_ms_by_outcome": {
            k: round(_pct(sorted(v), 0.5), 1) for k, v in stats.by_outcome.items()
        },
        "errors": dict(stats.errors),
        "error_total": sum(stats.errors.values()),
        "wins": stats.wins,
        "cpu_s": time.process_time() - cpu0,
        "wall_s": time.perf_counter() - t_start,
    }


def main(argv: list[str]) -> int:
    return loadgen_main(argv, run)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
