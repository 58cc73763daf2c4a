"""Reconciliation: a callback the provider never delivered is found by asking the provider."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.payments import services


async def reconcile_payments(ctx: dict[str, Any]) -> int:
    return await services.reconcile_pending(ctx["wiring"].payments)


FUNCTIONS: list[Any] = []
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [(reconcile_payments, {"second": 35})]
