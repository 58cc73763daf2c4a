"""Saving live sessions' figures every few seconds: the floor that counters are rebuilt
from if Redis restarts mid-session, so a session report never loses what was counted."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.live import events, sessions


async def checkpoint_live_sessions(ctx: dict[str, Any]) -> int:
    redis = events.redis() or ctx["redis"]
    return await sessions.checkpoint_all(redis)


FUNCTIONS: list[Any] = []
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (checkpoint_live_sessions, {"second": set(range(0, 60, 10))}),
]
