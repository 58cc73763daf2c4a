"""arq WorkerSettings: every job of every domain, and the cron sweepers that catch what was
missed.

Jobs are at-least-once: each takes ids, re-reads state and lets the database decide.
"""

from __future__ import annotations

from typing import Any

from arq.connections import RedisSettings
from arq.cron import cron

from livecommerce.domains.analytics import store as behaviour_events
from livecommerce.domains.live import events as room_events
from livecommerce.domains.outreach import setup as outreach_setup
from livecommerce.domains.payments import providers
from livecommerce.infra import db, queue
from livecommerce.infra import redis as redis_infra
from livecommerce.settings import Settings, load_settings
from livecommerce.wiring import wire
from livecommerce.worker.registry import CRON_JOBS, FUNCTIONS


def job_context(settings: Settings) -> dict[str, Any]:
    """What every job reads from arq's `ctx`: the settings and the wiring (who reacts to what)."""
    return {"settings": settings, "wiring": wire(settings)}


async def on_startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("settings") or load_settings()
    ctx.update(job_context(settings))
    await db.start_pool(settings)
    providers.configure(settings)
    outreach_setup.configure(settings)
    redis = ctx.get("redis")  # arq's pool, always there under arq
    queue.bind(redis)
    if settings.queue_redis_url and settings.redis_url and redis is not None:
        # The queue has a Redis of its own (a cluster holds the rooms): rooms go to REDIS_URL.
        ctx["room_redis"] = redis_infra.connect(
            settings.redis_url, cluster=settings.uses_redis_cluster
        )
        room_events.bind(ctx["room_redis"])
    elif redis is not None and room_events.redis() is None:  # in `up` the api's hub is bound
        room_events.bind(redis)


async def on_shutdown(ctx: dict[str, Any]) -> None:
    await behaviour_events.close()  # `paid` events a job recorded, written before the pool goes
    if ctx.get("room_redis") is not None:
        room_events.unbind(ctx["room_redis"])
        await redis_infra.aclose(ctx.pop("room_redis"))
    elif ctx.get("redis") is not None:
        room_events.unbind(ctx["redis"])
    if ctx.get("owns_pool", True):
        await db.close_pool()


def worker_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for arq's Worker, shared by `livecommerce worker` and the in-process
    worker of `up`."""
    return {
        "functions": FUNCTIONS,
        "cron_jobs": [cron(job, **schedule) for job, schedule in CRON_JOBS],
        "on_startup": on_startup,
        "on_shutdown": on_shutdown,
        "max_jobs": 20,
        # arq polls the queue in score order, this many ids at a time, and skips ids whose
        # in-progress key is set. A SIGKILLed worker leaves that key for job_timeout + 10 s, so with
        # arq's default (100) five kills of 20 jobs in flight stalled every new job for 5 minutes
        # (tests/resilience/test_worker_kills.py). Reading 1,000 ids is one cheap ZRANGEBYSCORE.
        "queue_read_limit": 1000,
        "job_timeout": 300,
        "keep_result": 3600,
        "max_tries": 10,
        "redis_settings": RedisSettings.from_dsn(settings.queue_url or "redis://127.0.0.1:6379/0"),
    }
