"""One group of fan-out viewers in its own process (bench/fanout.py starts several on the client
core): it holds its share of the sockets, counts what reaches them and answers the driver.

    python -m bench.fanout_viewers        # JSON commands on stdin, one JSON reply per line

10,000 sockets in one Python process on a shared core made the viewers the bottleneck (and
past ~20,000 file descriptors, the limit), so the driver splits them into groups.

Counting is done on the raw bytes of each read, never per frame: `bytes.count()` of the tags a
frame carries (a tick's `{"type":"tick"`, each event's `{"type":`, `"priority":true`) over
the read plus the previous read's last bytes, so a tag cut between two reads counts once. A
sample of the sockets (one in `sample_every`) parses every frame (bench.common.WsClient) and
decodes its events for the latency histogram: now (wall clock) minus the event's `ts`, stamped
with the server's wall clock when it was produced, on the same machine.

Commands: {"cmd": "connect", "host", "ports": [..], "path", "n", "sample_every",
"wait_snapshot"} (sockets spread over the ports in turn), {"cmd": "reset"}, {"cmd": "stats"},
{"cmd": "close"}.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from typing import Any

import msgspec

from bench.common import WsClient, pin, raise_fd_limit, ws_connect
from bench.harness import CLIENT_CPU, HOST, run_async

VIEWERS_PER_GROUP = 1250
LATENCY_SAMPLE = 20  # one socket in 20 decodes every frame for the latency histogram

TICK, EVENT, PRIORITY, SNAPSHOT = b'{"type":"tick"', b'{"type":', b'"priority":true', b'"snapshot"'
_KEEP = max(len(TICK), len(EVENT), len(PRIORITY), len(SNAPSHOT)) - 1


class _Ev(msgspec.Struct):
    n: int = -1
    ts: float = 0.0
    priority: bool = False


class _Frame(msgspec.Struct):
    type: str
    events: list[_Ev] = []


class Counts:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.frames = 0
        self.events = 0
        self.priority = 0
        self.histogram: dict[int, int] = {}
        self.last_frame = time.time()


class CountingClient(asyncio.Protocol):
    """An unsampled viewer: after the handshake it only counts tags in what it reads."""

    def __init__(self, request: bytes, counts: Counts) -> None:
        self.request = request
        self.counts = counts
        self.tail = b""
        self.head = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.live = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(self.request)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError("closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        if not self.upgraded.done():
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101" not in self.head[:12]:
                self.upgraded.set_exception(ConnectionError(bytes(self.head[:40]).decode()))
                return
            data = bytes(self.head[end + 4 :])
            self.head = bytearray()
            self.upgraded.set_result(None)
        if not data:
            return
        counts, tail = self.counts, self.tail
        both = tail + data
        snapshots = both.count(SNAPSHOT) - tail.count(SNAPSHOT)
        if snapshots:
            self.live = True
        frames = both.count(TICK) - tail.count(TICK)
        counts.frames += frames
        # Every frame's own tag and the snapshot's are `{"type":` too: the rest are events.
        counts.events += both.count(EVENT) - tail.count(EVENT) - frames - snapshots
        counts.priority += both.count(PRIORITY) - tail.count(PRIORITY)
        counts.last_frame = time.time()
        self.tail = both[-_KEEP:]


class Group:
    def __init__(self) -> None:
        self.counts = Counts()
        self.counting: list[CountingClient] = []
        self.sampled: list[WsClient] = []
        self.decoder = msgspec.json.Decoder(_Frame)

    def on_sampled(self, client: WsClient, payload: bytes) -> None:
        counts = self.counts
        counts.last_frame = now = time.time()
        if payload.startswith(b'{"type":"snapshot"'):
            client.state = "live"
            return
        counts.frames += 1
        hist = counts.histogram
        for event in self.decoder.decode(payload).events:
            counts.events += 1
            if event.priority:
                counts.priority += 1
                ms = min(10_000, max(0, int((now - event.ts) * 1000)))
                hist[ms] = hist.get(ms, 0) + 1

    async def _one(self, host: str, port: int, path: str, sampled: bool) -> None:
        if sampled:
            self.sampled.append(await ws_connect(host, port, path, self.on_sampled))
            return
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        loop = asyncio.get_running_loop()
        _, client = await loop.create_connection(
            lambda: CountingClient(request, self.counts), host, port
        )
        await client.upgraded
        self.counting.append(client)

    async def connect(self, cfg: dict[str, Any]) -> int:
        host, ports, path, n = cfg["host"], cfg["ports"], cfg["path"], int(cfg["n"])
        every = int(cfg.get("sample_every", 20))
        for start in range(0, n, 250):
            await asyncio.gather(
                *(
                    self._one(host, ports[i % len(ports)], path, i % every == 0)
                    for i in range(start, min(n, start + 250))
                )
            )
        if cfg.get("wait_snapshot"):
            async with asyncio.timeout(240):
                while not all(c.live for c in self.counting) or any(  # noqa: ASYNC110
                    c.state != "live" for c in self.sampled
                ):
                    await asyncio.sleep(0.05)
        return len(self.counting) + len(self.sampled)

    def stats(self) -> dict[str, Any]:
        c = self.counts
        alive = sum(not x.closed for x in self.counting) + sum(not x.closed for x in self.sampled)
        return {
            "frames": c.frames,
            "events": c.events,
            "priority": c.priority,
            "histogram": c.histogram,
            "last_frame": c.last_frame,
            "alive": alive,
            "sampled": len(self.sampled),
            "cpu": time.process_time(),
        }

    def close(self) -> None:
        clients: list[CountingClient | WsClient] = [*self.counting, *self.sampled]
        for client in clients:
            if client.transport is not None:
                client.transport.abort()


async def serve() -> None:
    group = Group()
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    print(json.dumps({"ready": True}), flush=True)
    while line := await reader.readline():
        cmd = json.loads(line)
        reply: dict[str, Any] = {"ok": True}
        if cmd["cmd"] == "connect":
            reply["connected"] = await group.connect(cmd)
        elif cmd["cmd"] == "reset":
            group.counts.reset()
        elif cmd["cmd"] == "stats":
            reply.update(group.stats())
        elif cmd["cmd"] == "close":
            group.close()
            print(json.dumps(reply), flush=True)
            return
        print(json.dumps(reply), flush=True)


# --- the driver's side (bench/fanout.py) ---------------------------------------------------


class ViewerGroups:
    """The viewer processes (bench/fanout_viewers.py) on the client core, driven as one."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.count = max(1, -(-n // VIEWERS_PER_GROUP))
        self.procs: list[asyncio.subprocess.Process] = []

    async def __aenter__(self) -> ViewerGroups:
        for _ in range(self.count):
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.fanout_viewers",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                # Each group its own session, so its own scheduler autogroup (Linux groups CPU
                # time by session): on a machine shared with other sessions the viewers would
                # otherwise split one session's share of the core and become the bottleneck.
                start_new_session=True,
            )
            pin(CLIENT_CPU, proc.pid)
            self.procs.append(proc)
        await asyncio.gather(*(self._reply(p) for p in self.procs))
        return self

    async def __aexit__(self, *exc: object) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()

    async def _reply(self, proc: asyncio.subprocess.Process, within: float = 300) -> Any:
        assert proc.stdout is not None
        async with asyncio.timeout(within):
            line = await proc.stdout.readline()
        if not line:
            raise RuntimeError("a viewer group exited")
        return json.loads(line)

    async def _all(self, cmds: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for proc, cmd in zip(self.procs, cmds, strict=True):
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(cmd).encode() + b"\n")
        return list(await asyncio.gather(*(self._reply(p) for p in self.procs)))

    async def connect(self, ports: list[int], path: str, wait_snapshot: bool) -> None:
        share = [self.n // self.count + (i < self.n % self.count) for i in range(self.count)]
        cmd: dict[str, Any] = {"cmd": "connect", "host": HOST, "ports": ports, "path": path}
        cmd |= {"sample_every": LATENCY_SAMPLE, "wait_snapshot": wait_snapshot}
        await self._all([{**cmd, "n": k} for k in share])

    async def reset(self) -> None:
        await self._all([{"cmd": "reset"}] * self.count)

    async def stats(self) -> dict[str, Any]:
        replies = await self._all([{"cmd": "stats"}] * self.count)
        histogram = [0] * 10_001
        for reply in replies:
            for ms, count in reply["histogram"].items():
                histogram[int(ms)] += count
        names = ("frames", "events", "priority", "alive", "cpu")
        total = {k: sum(r[k] for r in replies) for k in names}
        return {**total, "histogram": histogram, "last": max(r["last_frame"] for r in replies)}

    async def close(self) -> None:
        await self._all([{"cmd": "close"}] * self.count)


def main() -> None:
    raise_fd_limit()
    run_async(serve())


if __name__ == "__main__":
    main()
