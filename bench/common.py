"""Helpers shared by the benches: CPU pinning, process RSS/CPU, a light websocket client, output."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import resource
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psutil


def pin(cpu: int, pid: int = 0) -> None:
    """Pin a process (default: this one) to one core, when the machine has it."""
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(pid, {cpu})


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss_bytes(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def percentile(histogram_ms: Sequence[int], fraction: float) -> float:
    """The `fraction` percentile (ms) of a histogram whose index is the latency in ms."""
    total = sum(histogram_ms)
    if total == 0:
        return float("nan")
    target, running = total * fraction, 0
    for ms, count in enumerate(histogram_ms):
        running += count
        if running >= target:
            return float(ms)
    return float(len(histogram_ms))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def json_line(payload: dict[str, Any]) -> None:
    """The machine-readable result: always the last line a bench prints."""
    print(json.dumps(payload, sort_keys=False), flush=True)


def headline(
    ours: float | None,
    naive: float | None,
    limit: float | None,
    unit: str,
    correct: bool,
    **more: Any,
) -> dict[str, Any]:
    """The result every bench ends with (bench/report.py reads it): the three rates, the unit,
    ours over each of the others, whether ours was correct, then anything of its own."""

    def over(other: float | None) -> float | None:
        return round(ours / other, 3) if ours is not None and other else None

    return {
        "ours": ours,
        "naive": naive,
        "limit": limit,
        "unit": unit,
        "ours_over_limit": over(limit),
        "ours_over_naive": over(naive),
        "correct": correct,
        **more,
    }


@dataclass
class Result:
    """One scenario of a bench that measures a rate through a server (checkout, grab)."""

    name: str
    rate: float | None
    p50: float | None = None
    p99: float | None = None
    errors: int = 0
    notes: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


def fmt(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None or v != v else f"{v:,.{digits}f}"


def print_results(results: Sequence[Result], rate_header: str) -> None:
    print()
    print_table(
        ["scenario", rate_header, "p50 ms", "p99 ms", "errors", "notes"],
        [[r.name, fmt(r.rate), fmt(r.p50), fmt(r.p99), r.errors, r.notes] for r in results],
    )


def rate_of(results: Sequence[Result], name: str) -> float | None:
    """The rate of scenario `name`, to one decimal (None: not run or failed)."""
    found = next((r for r in results if r.name == name), None)
    return round(found.rate, 1) if found is not None and found.rate is not None else None


class WsClient(asyncio.Protocol):
    """A minimal websocket client (RFC 6455) that costs the load generator little per frame.

    The `websockets` client spends tens of microseconds per message in Python; a bench
    whose clients are slower than the server measures the clients. This one parses
    unmasked server frames from the buffer and hands each text payload to `on_text`.
    """

    def __init__(
        self, host: str, port: int, path: str, on_text: Callable[[WsClient, bytes], None]
    ) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: "
            f"{base64.b64encode(os.urandom(16)).decode()}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.on_text = on_text
        self.buffer = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.close_code: int | None = None
        self.state: Any = None  # free for the bench

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError("closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        buf = self.buffer
        buf += data
        if not self.upgraded.done():
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[:12])
            del buf[: end + 4]
            if b" 101" not in status:
                self.upgraded.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.upgraded.set_result(None)
        while len(buf) >= 2:
            size, offset = buf[1] & 0x7F, 2
            if size == 126:
                if len(buf) < 4:
                    return
                size, offset = struct.unpack_from("!H", buf, 2)[0], 4
            elif size == 127:
                if len(buf) < 10:
                    return
                size, offset = struct.unpack_from("!Q", buf, 2)[0], 10
            if len(buf) < offset + size:
                return
            opcode = buf[0] & 0x0F
            payload = bytes(buf[offset : offset + size])
            del buf[: offset + size]
            if opcode == 1:
                self.on_text(self, payload)
            elif opcode == 9:
                self.send_frame(0xA, payload)  # pong
            elif opcode == 8:
                self.close_code = (
                    struct.unpack_from("!H", payload)[0] if len(payload) >= 2 else 1005
                )
                self.closed = True
                if self.transport:
                    self.transport.close()

    def send_frame(self, opcode: int, payload: bytes) -> None:
        """Client frames must be masked; a zero mask keeps the payload as is."""
        if self.transport is None or self.closed:
            return
        size = len(payload)
        header = (
            bytes((0x80 | opcode, 0x80 | size))
            if size < 126
            else struct.pack("!BBH", 0x80 | opcode, 0xFE, size)
        )
        self.transport.write(header + b"\0\0\0\0" + payload)


async def ws_connect(
    host: str, port: int, path: str, on_text: Callable[[WsClient, bytes], None]
) -> WsClient:
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(
        lambda: WsClient(host, port, path, on_text), host, port
    )
    await client.upgraded
    return client
