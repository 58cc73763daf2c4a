"""Outreach's jobs: one per delivery (job id from the delivery id; may run twice: the claim is
a conditional UPDATE) and a sweeper that takes again what was lost (a Redis restart, a worker
killed before it ran) and fails what was cut off mid-send."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from livecommerce.domains.outreach import delivery, sending
from livecommerce.infra import queue


def _rechecks(ctx: dict[str, Any]) -> dict[str, Any]:
    wiring = ctx.get("wiring")
    hooks = getattr(wiring, "outreach", None)
    return dict(getattr(hooks, "rechecks", {}) or {})


async def deliver_outreach(ctx: dict[str, Any], delivery_id: int) -> str:
    return await delivery.deliver(delivery_id, _rechecks(ctx))


async def sweep_outreach(ctx: dict[str, Any]) -> int:
    await delivery.fail_interrupted()
    ids = await delivery.due()
    minute = datetime.now(UTC).strftime("%Y%m%d%H%M")
    for delivery_id in ids:
        await queue.enqueue(
            sending.DELIVER_JOB, delivery_id, job_id=sending.job_id(delivery_id, f"sweep{minute}")
        )
    return len(ids)


FUNCTIONS: list[Any] = [deliver_outreach]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [(sweep_outreach, {"second": 20})]
