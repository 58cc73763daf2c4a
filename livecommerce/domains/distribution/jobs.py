"""The settle job: due commissions into wallets, a chunk per transaction (see settlement.py for
why it is exactly once when run twice, concurrently, or killed midway)."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.distribution import settlement


async def settle_due_commissions(ctx: dict[str, Any], chunk: int = settlement.CHUNK) -> int:
    return await settlement.settle_due(chunk)


FUNCTIONS = [settle_due_commissions]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (settle_due_commissions, {"second": {0, 30}}),
]
