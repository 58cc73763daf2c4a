"""Behaviour events' upkeep: partitions for the coming days, old days dropped (retention.py)."""

from __future__ import annotations

from typing import Any

import structlog

from livecommerce.domains.analytics import retention
from livecommerce.infra import db
from livecommerce.settings import Settings

log = structlog.get_logger("analytics.jobs")


async def maintain_event_partitions(ctx: dict[str, Any]) -> dict[str, int]:
    settings: Settings = ctx["settings"]
    async with db.connection() as conn:
        done = await retention.run(conn, settings.events_retention_days)
    if done.dropped:
        log.info("event_partitions_dropped", partitions=done.dropped)
    return {"created": done.created, "dropped": len(done.dropped)}


FUNCTIONS: list[Any] = []
# Twice a day: one missed run (a restart at the wrong minute) still leaves a week made ahead.
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (maintain_event_partitions, {"hour": {1, 13}, "minute": {7}}),
]
