"""Group-buy jobs: the deadline of one group (enqueued when it opens, keyed by its id), and a
sweeper for deadlines whose job was lost. Both idempotent (group_deadline.py)."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.marketing import group_deadline

SWEEP_BATCH = 200


async def fail_group_buy(ctx: dict[str, Any], group_id: int) -> int:
    return await group_deadline.fail_group(ctx["wiring"].orders, group_id)


async def sweep_group_buys(ctx: dict[str, Any]) -> int:
    return sum(
        [await fail_group_buy(ctx, gid) for gid in await group_deadline.due_groups(SWEEP_BATCH)]
    )


FUNCTIONS = [fail_group_buy]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [(sweep_group_buys, {"second": 35})]
