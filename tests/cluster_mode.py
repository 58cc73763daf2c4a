"""The switch that runs the Redis tests on a real Redis Cluster (`make test-cluster`).

TEST_REDIS_CLUSTER=1: the session's Redis is an EmbeddedRedisCluster (3 masters, 3 replicas,
cluster-node-timeout 1.5 s so a killed master's replica takes over within seconds), named by
a `redis+cluster://` URL, which every client built with `livecommerce.infra.redis.connect`
(the app's, the worker's, the tests') reads as a cluster. Unset: nothing here runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from livecommerce.infra import redis as redis_infra
from livecommerce.infra.embedded_cluster import EmbeddedRedisCluster

ENABLED = os.environ.get("TEST_REDIS_CLUSTER", "") == "1"
NODE_TIMEOUT_MS = 1500

_cluster: EmbeddedRedisCluster | None = None


def start(data_dir: Path) -> str:
    global _cluster
    if _cluster is None:
        _cluster = EmbeddedRedisCluster(data_dir, node_timeout_ms=NODE_TIMEOUT_MS)
        _cluster.start()
    return cluster_url(_cluster)


def cluster_url(cluster: EmbeddedRedisCluster) -> str:
    return cluster.url().replace("redis://", "redis+cluster://", 1)


def running() -> EmbeddedRedisCluster | None:
    return _cluster


def stop() -> None:
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None


def connect(url: str) -> Any:
    """A client for `url`, a cluster's or one node's (tests use it where the app would)."""
    return redis_infra.connect(url)


async def flush(url: str, *more: str | None) -> None:
    """Empty every Redis the session uses (FLUSHDB goes to every master of a cluster)."""
    for each in (url, *more):
        if not each:
            continue
        client = connect(each)
        try:
            await client.flushdb()
        finally:
            await redis_infra.aclose(client)
