"""A like storm: how many likes one api process counts per second, and what each costs Redis.

    .venv/bin/python -m bench.likes [--n 200] [--likes 1000]

N logged-in sockets in one room each send `--likes` like frames (count 1) as fast as TCP
takes them; the figure is likes counted in Redis per second, from the first frame until
the counter holds every like (nothing is dropped: TCP backs the senders off). The server
under test runs alone on core 0; the clients and Redis on core 1; loopback only.

- ours:  the RoomHub: likes summed per tick per process, one script call per tick.
- naive: the same socket, one `INCRBY` per like frame as it arrives.
- limit: `redis-benchmark -t incr`: Redis's own INCR ceiling, the most the naive design
  could ever reach with any number of api processes, since every like is a Redis command.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import time
from typing import Any

from bench.common import headline, json_line, print_table, raise_fd_limit, ws_connect
from bench.harness import (
    CLIENT_CPU,
    HOST,
    SERVER_CPU,
    ChildServer,
    embedded_redis,
    run_async,
    self_serving_parser,
    start_uvicorn,
)

LIKE = b'{"type":"like","count":1}'


# --- the server (child process) ------------------------------------------------------------


async def serve(kind: str, port: int, redis_url: str) -> None:
    from litestar import Litestar, WebSocket, websocket
    from redis.asyncio import Redis

    from livecommerce.infra.auth import Actor
    from livecommerce.realtime import HubConfig, RoomHub, room_socket

    redis = Redis.from_url(redis_url)
    if kind == "ours":
        # Buckets out of the way: the bench measures counting, not throttling.
        hub = RoomHub(
            redis, HubConfig(like_rate=1e9, like_burst=1e9, idle_timeout=3600, max_frame_bytes=4096)
        )

        async def snapshot(room_id: int, actor: Any) -> dict[str, Any]:
            return {}

        handler = room_socket(snapshot=snapshot, hub=hub)
    else:

        @websocket("/ws/rooms/{room_id:int}")
        async def handler(socket: WebSocket, room_id: int) -> None:
            await socket.accept()
            await socket.send_text('{"type":"snapshot"}')
            key = f"{{room:{room_id}}}:counters"
            while True:
                message = await socket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                await redis.hincrby(key, "likes", 1)

    async def as_user(scope: Any, receive: Any, send: Any) -> None:
        scope["user"] = Actor(id=int(scope["client"][1]), username="fan")
        await app_inner(scope, receive, send)

    app_inner = Litestar(route_handlers=[handler])
    task = await start_uvicorn(
        as_user, port, ws="websockets-sansio", ws_per_message_deflate=False, lifespan="off"
    )
    print("ready", flush=True)
    await task


# --- the driver (this process) --------------------------------------------------------------


async def commands(redis: Any) -> int:
    stats = await redis.info("commandstats")
    return sum(int(v["calls"]) for k, v in stats.items() if not k.endswith("info"))


async def storm(kind: str, redis_url: str, n: int, likes: int) -> dict[str, Any]:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    try:
        async with ChildServer("bench.likes", kind, redis_url) as server:
            await redis.flushdb()
            clients = []
            for start in range(0, n, 100):
                clients += await asyncio.gather(
                    *(
                        ws_connect(HOST, server.port, "/ws/rooms/1", lambda c, p: None)
                        for _ in range(start, min(n, start + 100))
                    )
                )
            await asyncio.sleep(0.5)
            before = await commands(redis)
            t0 = time.monotonic()
            for _ in range(likes):
                for client in clients:
                    client.send_frame(1, LIKE)
                await asyncio.sleep(0)  # let the transports drain
            total, counted = n * likes, 0
            async with asyncio.timeout(300):
                while counted < total:
                    counted = int(await redis.hget("{room:1}:counters", "likes") or 0)
                    await asyncio.sleep(0.02)
            elapsed = time.monotonic() - t0
            used = await commands(redis) - before
            for client in clients:
                if client.transport:
                    client.transport.abort()
    finally:
        await redis.aclose()
    return {
        "name": kind,
        "likes_s": total / elapsed,
        "commands_per_like": used / total,
        "counted": counted,
        "sent": total,
    }


def redis_incr_ceiling(port: int) -> float:
    """`redis-benchmark -t incr` against the same Redis, on the client core."""
    tool = shutil.which("redis-benchmark")
    if tool is None:
        return 0.0
    out = subprocess.run(
        [
            "taskset",
            "-c",
            str(CLIENT_CPU),
            tool,
            "-p",
            str(port),
            "-t",
            "incr",
            "-n",
            "200000",
            "-c",
            "50",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    found = re.findall(r"INCR: ([\d.]+) requests per second", out.replace(",", ""))
    return float(found[-1]) if found else 0.0


async def drive(args: argparse.Namespace) -> None:
    with embedded_redis() as redis_url:
        results = {
            kind: await storm(kind, redis_url, args.n, args.likes) for kind in ("naive", "ours")
        }
        limit = redis_incr_ceiling(int(redis_url.rsplit(":", 1)[1].split("/")[0]))
    print(
        f"\n{args.n:,} sockets x {args.likes:,} likes, one room, server pinned to core {SERVER_CPU}"
    )
    rows = [
        [
            r["name"],
            r["likes_s"],
            f"{r['commands_per_like']:.4f}",
            f"{r['counted']:,}/{r['sent']:,}",
        ]
        for r in results.values()
    ]
    rows.append(["limit (redis-benchmark INCR)", limit, "1.0000", "-"])
    print_table(["scenario", "likes/s counted", "Redis commands/like", "counted/sent"], rows)
    ours, naive = results["ours"]["likes_s"], results["naive"]["likes_s"]
    json_line(
        headline(
            round(ours),
            round(naive),
            round(limit),
            "likes/s",
            all(r["counted"] == r["sent"] for r in results.values()),
            commands_per_like={k: round(r["commands_per_like"], 5) for k, r in results.items()},
        )
    )


def main() -> None:
    parser = self_serving_parser(__doc__)
    parser.add_argument("--n", type=int, default=200, help="liking sockets")
    parser.add_argument("--likes", type=int, default=500, help="like frames per socket")
    args = parser.parse_args()
    raise_fd_limit()
    if args.serve:
        run_async(serve(args.serve, args.port, args.redis))
    else:
        run_async(drive(args))


if __name__ == "__main__":
    main()
