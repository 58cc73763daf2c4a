"""What the room's traffic costs Redis: per api process per tick (ours@2p of bench/fanout.py) and
one node's rate for the commands a tick sends (redis-benchmark), the two halves of the
million-viewer plan's Redis figure.

- counting_redis: the api process's Redis client counting every command it sends, by name
  (the commands a process costs Redis, exact, MONITOR-free); the server child answers
  `stats` with them.
- RedisMeter: INFO commandstats, INFO cpu and the room channel's subscribers before and
  after a run: commands by name, pub/sub deliveries (each PUBLISH/SPUBLISH reaches every
  subscribed process: calls x subscribers) and Redis CPU, per process per tick. Counted by
  Redis itself (no MONITOR, which would cost more than what it counts).
- node_rates: redis-benchmark, 50 clients on the client core, against the bench's Redis on
  the server core (alone there once the api processes are gone): PUBLISH of a 512-byte batch
  to a channel with 0 and 2 subscribers (redis-cli, as two api processes would be; the
  difference is what each subscribed process adds to a publish), SPUBLISH to 2, and EVALSHA
  of the tick's counters script (realtime/counters.py TICK_LUA) with a process's presence
  and no deltas, as a quiet tick sends it.
"""

from __future__ import annotations

import collections
import contextlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from redis import Redis
from redis.asyncio import ConnectionPool
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.connection import Connection

from bench.common import pin, print_table
from bench.harness import CLIENT_CPU, HOST, SERVER_CPU, Procs
from livecommerce.realtime import counters as room_counters

TICKS_PER_S = 5  # the production tick (HubConfig.tick_interval 0.2 s)
ROOM = 1
# The meter's own INFO / PUBSUB calls, not the hub's.
_OURS = re.compile(r"^(info|pubsub\|.*|ping|hello|client\|.*)$")


SENT: collections.Counter[str] = collections.Counter()  # this process's commands, by name


class _CountingConnection(Connection):
    def pack_command(self, *args: Any) -> list[bytes]:
        name = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
        SENT[name.split()[0].upper()] += 1
        return super().pack_command(*args)


def counting_redis(url: str) -> AsyncRedis:
    return AsyncRedis(
        connection_pool=ConnectionPool.from_url(url, connection_class=_CountingConnection)
    )


def _commandstats(redis: Any) -> dict[str, int]:
    stats = redis.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}


def _cpu(redis: Any) -> float:
    info = redis.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


class RedisMeter:
    def __init__(self, url: str) -> None:
        self.redis: Any = Redis.from_url(url)

    def start(self) -> None:
        self.calls0, self.cpu0 = _commandstats(self.redis), _cpu(self.redis)

    def stop(self, *, processes: int, seconds: float, ticks: int | None) -> dict[str, Any]:
        """`ticks`: process-ticks in the window (None: one per PUBLISH)."""
        calls, cpu = _commandstats(self.redis), _cpu(self.redis)
        name = room_counters.channel(ROOM)
        subscribers = int(dict(self.redis.pubsub_numsub(name)).get(name.encode(), 0))
        with contextlib.suppress(Exception):  # SHARDNUMSUB: Redis 7, sharded pub/sub
            reply = self.redis.execute_command("PUBSUB", "SHARDNUMSUB", name)
            subscribers += int(reply[1])
        delta = {
            k: v - self.calls0.get(k, 0)
            for k, v in calls.items()
            if v > self.calls0.get(k, 0) and not _OURS.match(k)
        }
        publishes = delta.get("publish", 0) + delta.get("spublish", 0)
        # Process-ticks counted (by the servers), not taken from the clock: on a shared core
        # the ticks slip, and commands per tick is the figure that scales.
        ticks = max(1, ticks if ticks is not None else publishes)
        self.redis.close()
        return {
            "processes": processes,
            "seconds": round(seconds, 2),
            "ticks_s_per_process": round(ticks / processes / seconds, 2),
            "commands": delta,
            "commands_s": round(sum(delta.values()) / seconds, 1),
            # Executed by Redis, the commands inside the scripts included.
            "executed_per_process_tick": round(sum(delta.values()) / ticks, 2),
            "deliveries_per_process_tick": round(publishes * subscribers / ticks, 2),
            "subscribers": subscribers,
            # Redis's cron (hz) included: an upper bound at low load.
            "redis_cpu_us_per_process_tick": round((cpu - self.cpu0) / ticks * 1e6, 1),
            "redis_core": round((cpu - self.cpu0) / seconds, 3),
        }


def _benchmark(
    tool: str, redis: Any, port: int, procs: Procs, log: Path, *command: str
) -> dict[str, float] | None:
    """requests/s, and requests per second of Redis CPU (its used_cpu, network I/O included):
    the second holds when neighbours take part of the core, the first does not."""
    requests = 100_000
    argv = [tool, "-h", HOST, "-p", str(port), "-c", "50", "-n", str(requests), "--csv"]
    cpu0 = _cpu(redis)
    code = procs.run([*argv, *command], cpu=CLIENT_CPU, log=log, timeout=120)
    cpu = _cpu(redis) - cpu0
    found = re.search(r'^"[^"]*","([\d.]+)"', log.read_text(errors="replace"), re.MULTILINE)
    if code != 0 or found is None:
        return None
    return {"per_s": float(found.group(1)), "per_core_s": round(requests / max(cpu, 1e-9))}


def node_rates(url: str) -> dict[str, Any]:
    """Requests/s one Redis node serves for each command a tick sends (see the docstring)."""
    tool = shutil.which("redis-benchmark")
    cli = shutil.which("redis-cli")
    if tool is None or cli is None:
        return {"error": "redis-benchmark or redis-cli not found"}
    redis: Any = Redis.from_url(url)
    port = int(redis.connection_pool.connection_kwargs["port"])
    pid = int(redis.info("server")["process_id"])
    sha = redis.script_load(room_counters.TICK_LUA)
    args = room_counters.tick_args("bench-proc", 5000, 10.0, room_counters.Deltas(), "e", "")
    redis.hset(room_counters.keys(ROOM)[0], "epoch", "e")
    channel = room_counters.channel(ROOM)
    payload = "x" * 512
    procs = Procs()
    rates: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="lc-bench-redis-node-") as tmp:
        try:
            # On the server core, alone there now (the api processes are gone).
            runs = (("SUBSCRIBE", "PUBLISH", 0), ("SUBSCRIBE", "PUBLISH", 2))
            for subscribe, publish, count in (*runs, ("SSUBSCRIBE", "SPUBLISH", 2)):
                subs = [
                    procs.start([cli, "-p", str(port), subscribe, channel], cpu=CLIENT_CPU)
                    for _ in range(count)
                ]
                log = Path(tmp) / f"{publish}-{count}.out"
                rates[f"{publish} to {count}"] = _benchmark(
                    tool, redis, port, procs, log, publish, channel, payload
                )
                for sub in subs:
                    procs.stop(sub)
            keys = room_counters.keys(ROOM)
            rates["EVALSHA tick"] = _benchmark(
                tool,
                redis,
                port,
                procs,
                Path(tmp) / "evalsha.out",
                "EVALSHA",
                sha,
                str(len(keys)),
                *keys,
                *map(str, args),
            )
        except (OSError, subprocess.SubprocessError) as exc:
            rates["error"] = str(exc)
        finally:
            procs.stop_all()
            pin(SERVER_CPU, pid)  # where bench/fanout.py keeps it
            redis.close()
    return rates


def print_redis(per_process: dict[str, Any], node: dict[str, Any] | None) -> None:
    print(
        f"\nRedis, {per_process['processes']} api processes, one room, "
        f"{per_process['seconds']} s, {per_process['ticks_s_per_process']} ticks/s per process "
        f"(nominal {TICKS_PER_S}):"
    )
    print_table(
        [
            "process",
            "commands sent/tick",
            "executed/tick (scripts' inside too)",
            "pub/sub deliveries/tick",
        ],
        [
            [
                f"api {i + 1}",
                sent,
                per_process["executed_per_process_tick"],
                per_process["deliveries_per_process_tick"],
            ]
            for i, sent in enumerate(per_process.get("sent_per_process_tick", []))
        ],
    )
    for i, sent_by in enumerate(per_process.get("sent_by_process", [])):
        print(f"  api {i + 1} sent:", ", ".join(f"{k} {v:,}" for k, v in sent_by.items()))
    print(
        f"  Redis executed {per_process['commands_s']:,.0f} commands/s in all, "
        f"{per_process['redis_core']:.3f} of a core; by command:",
        ", ".join(f"{k} {v:,}" for k, v in per_process["commands"].items()),
    )
    if node:
        print("one Redis node (redis-benchmark -c 50): requests/s; per core of Redis CPU")
        for name, rate in node.items():
            if isinstance(rate, dict):
                print(f"  {name:15} {rate['per_s']:>10,.0f}/s  {rate['per_core_s']:>10,.0f}/core-s")
            else:
                print(f"  {name:15} {rate}")
