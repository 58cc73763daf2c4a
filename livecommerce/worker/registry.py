"""The list of jobs. Each domain's jobs.py is added here, and nowhere else."""

from __future__ import annotations

from typing import Any


async def heartbeat(ctx: dict[str, Any]) -> str:
    """Cron: proves the worker runs (its last result is visible in Redis)."""
    return "ok"


FUNCTIONS: list[Any] = [heartbeat]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [(heartbeat, {"second": 0, "unique": True, "run_at_startup": False})]
