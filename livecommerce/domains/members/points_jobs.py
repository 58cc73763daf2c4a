"""Points jobs: thaw one order's frozen points when their freeze ends (deferred at completion),
and a sweeper for the thaws arq lost or ran before they were due. Both may run twice or late:
points_earning.thaw moves an order's points once (earning row lock + `thawed_at IS NULL` +
the keyed posting)."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.members import points_earning


async def thaw_points(ctx: dict[str, Any], order_id: int) -> bool:
    return await points_earning.thaw(order_id)


async def sweep_points_thaws(ctx: dict[str, Any]) -> int:
    thawed = 0
    for order_id in await points_earning.due_for_thaw():
        thawed += await points_earning.thaw(order_id)
    return thawed


FUNCTIONS: list[Any] = [thaw_points]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [(sweep_points_thaws, {"second": 41})]
