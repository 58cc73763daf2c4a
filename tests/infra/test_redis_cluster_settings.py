"""REDIS_CLUSTER / a cluster URL / QUEUE_REDIS_URL: which client each part of the system gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from arq.connections import ArqRedis
from redis.asyncio.cluster import RedisCluster

from livecommerce.infra import redis as redis_infra
from livecommerce.infra.redis_cluster import is_cluster, plain_url
from livecommerce.settings import SettingsError, load_settings
from livecommerce.worker.settings import worker_options

NO_DOTENV = Path("/nonexistent/.env")


def test_one_node_stays_the_default_with_the_queue_on_it() -> None:
    settings = load_settings({"REDIS_URL": "redis://127.0.0.1:6390/0"}, dotenv=NO_DOTENV)
    assert not settings.uses_redis_cluster
    assert settings.queue_url == "redis://127.0.0.1:6390/0"
    client = redis_infra.connect(settings.redis_url or "")
    assert isinstance(client, ArqRedis) and not is_cluster(client)
    assert worker_options(settings)["redis_settings"].port == 6390


def test_a_cluster_needs_a_plain_redis_for_the_queue() -> None:
    for env in (
        {"REDIS_URL": "redis+cluster://127.0.0.1:7000/0"},
        {"REDIS_URL": "redis://127.0.0.1:7000/0", "REDIS_CLUSTER": "1"},
    ):
        with pytest.raises(SettingsError, match="QUEUE_REDIS_URL"):
            load_settings(env, dotenv=NO_DOTENV)


def test_a_cluster_url_gives_the_cluster_client_and_the_queue_its_own_redis() -> None:
    settings = load_settings(
        {"REDIS_URL": "redis+cluster://127.0.0.1:7000/0", "QUEUE_REDIS_URL": "redis://q:6391/2"},
        dotenv=NO_DOTENV,
    )
    assert settings.uses_redis_cluster and settings.queue_url == "redis://q:6391/2"
    client = redis_infra.connect(settings.redis_url or "")
    assert isinstance(client, RedisCluster) and is_cluster(client)
    flagged = redis_infra.connect("redis://127.0.0.1:7000/0", cluster=True)
    assert is_cluster(flagged)
    queue = worker_options(settings)["redis_settings"]
    assert (queue.host, queue.port, queue.database) == ("q", 6391, 2)
    assert plain_url("rediss+cluster://h:1/0") == "rediss://h:1/0"
