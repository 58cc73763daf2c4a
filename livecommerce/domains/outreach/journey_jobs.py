"""The journeys' jobs: the 预约 fan-out (one job per session, job id from the session id), and the
cron sweepers that catch what was missed. Every one may run twice, late or concurrently: the
message's unique key (user, journey, period) decides."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from livecommerce.domains.outreach import (
    cycles,
    journey_reminder,
    journey_repurchase,
    journey_viewed,
)
from livecommerce.settings import Settings, load_settings


def _settings(ctx: dict[str, Any]) -> Settings:
    return ctx.get("settings") or load_settings()


async def reach_session_reminders(ctx: dict[str, Any], session_id: int) -> int:
    return await journey_reminder.reach_session(session_id)


async def sweep_session_reminders(ctx: dict[str, Any]) -> int:
    return await journey_reminder.sweep()


async def learn_repurchase_cycles(ctx: dict[str, Any]) -> int:
    return await cycles.learn_all(_settings(ctx), datetime.now(UTC))


async def sweep_repurchase(ctx: dict[str, Any]) -> int:
    settings = _settings(ctx)
    return (await journey_repurchase.sweep(datetime.now(UTC), settings.repurchase_lead_days))[1]


async def sweep_viewed_not_bought(ctx: dict[str, Any]) -> int:
    settings = _settings(ctx)
    return (await journey_viewed.sweep(datetime.now(UTC), settings.business_timezone))[1]


# journey_reminder.FAN_OUT_JOB is the name the session start enqueues.
FUNCTIONS: list[Any] = [reach_session_reminders]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    # Every minute: a lost fan-out still reaches everyone within a minute or so of the start.
    (sweep_session_reminders, {"second": 5}),
    # Nightly (UTC), before the hourly sweep picks up the new cycles.
    (learn_repurchase_cycles, {"hour": 18, "minute": 40, "second": 0}),
    (sweep_repurchase, {"minute": 45, "second": 0}),
    (sweep_viewed_not_bought, {"minute": 50, "second": 0}),
]
