"""Enqueueing arq jobs from request handlers. Best effort by design: every job also has a
cron sweeper that finds what was missed, so a Redis hiccup delays work but never loses it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from arq.connections import ArqRedis
from redis.exceptions import RedisError

log = structlog.get_logger("queue")
_redis: ArqRedis | None = None


def bind(redis: ArqRedis | None) -> None:
    global _redis
    _redis = redis


async def enqueue(
    function: str, *args: Any, job_id: str | None = None, defer_until: datetime | None = None
) -> None:
    if _redis is None:
        return
    try:
        await _redis.enqueue_job(function, *args, _job_id=job_id, _defer_until=defer_until)
    except (RedisError, OSError) as exc:
        log.warning("enqueue_failed", function=function, job_id=job_id, error=str(exc))
