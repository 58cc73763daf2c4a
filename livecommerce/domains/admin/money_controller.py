"""The operator's money queue: GET /api/admin/money/queue."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from livecommerce.domains.admin import money
from livecommerce.infra.auth import requires


class MoneyQueueController(Controller):
    path = "/api/admin/money"
    tags = ["admin"]
    guards = [requires("admin")]

    @get("/queue")
    async def queue(self, recent: Annotated[int, Parameter(ge=0, le=100)] = 20) -> money.MoneyQueue:
        """Distributors' withdrawals and hosts' payouts waiting for review, oldest first, with
        who asked, the amount, the fee, where it goes (masked), when, and what the requester
        still has (`available`) and holds (`held`); and the `recent` decisions with their
        reasons. Decide with POST /api/admin/withdrawals/{id}/approve|reject and
        /api/admin/payouts/{id}/approve|reject (a rejection needs a `reason`)."""
        return await money.queue(recent)


CONTROLLERS = [MoneyQueueController]
