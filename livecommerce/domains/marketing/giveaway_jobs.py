"""The draw at a giveaway's end and the expiry of unclaimed prizes: a deferred job each (job ids
per giveaway and round), and a sweeper that catches what was missed. Each may run twice or late:
the conditional UPDATEs in giveaway_draws.py decide."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.marketing import giveaway_draws


async def draw_giveaway(ctx: dict[str, Any], giveaway_id: int) -> bool:
    return await giveaway_draws.draw(giveaway_id)


async def expire_giveaway_claims(ctx: dict[str, Any], giveaway_id: int) -> int:
    return await giveaway_draws.expire_claims(giveaway_id)


async def sweep_giveaways(ctx: dict[str, Any]) -> int:
    found = await giveaway_draws.due()
    done = 0
    for giveaway_id in found["draw"]:
        done += await giveaway_draws.draw(giveaway_id)
    for giveaway_id in found["expire"]:
        done += await giveaway_draws.expire_claims(giveaway_id)
    return done


FUNCTIONS: list[Any] = [draw_giveaway, expire_giveaway_claims]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [(sweep_giveaways, {"second": 20})]
