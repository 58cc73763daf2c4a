"""Flash sales' ends: a deferred job per sale at its close, and a sweeper for what was missed.
Both may run twice or late: end_flash_sale locks the sale's row and ends only an active sale."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.marketing import flash_sales
from livecommerce.infra import db


async def end_flash_sale(ctx: dict[str, Any], sale_id: int) -> bool:
    return await flash_sales.end_flash_sale(ctx.get("redis"), sale_id)


async def sweep_flash_sales(ctx: dict[str, Any]) -> int:
    async with db.connection() as conn:
        due = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM flash_sales WHERE status = 'active' AND ends_at <= now()"
                " ORDER BY id LIMIT 500"
            )
        ]
    ended = 0
    for sale_id in due:
        ended += await flash_sales.end_flash_sale(ctx.get("redis"), sale_id)
    return ended


FUNCTIONS: list[Any] = [end_flash_sale]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [(sweep_flash_sales, {"second": 50})]
