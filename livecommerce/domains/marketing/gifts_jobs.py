"""The tips' settlement sweep (gifts_settlement.py): idempotent, safe to run twice or late."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.marketing import gifts_settlement


async def settle_tips(ctx: dict[str, Any]) -> int:
    return await gifts_settlement.settle_all()


async def purge_tip_totals(ctx: dict[str, Any]) -> int:
    return await gifts_settlement.purge_old_totals()


FUNCTIONS: list[Any] = []
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (settle_tips, {"second": 50}),
    (purge_tip_totals, {"hour": 4, "minute": 10, "second": 0}),
]
