"""The host's outreach results: GET /api/host/outreach/results (a host and its staff)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import Provide
from litestar.params import Parameter

from livecommerce.domains.members import staff
from livecommerce.domains.outreach import results
from livecommerce.domains.outreach.results_schemas import ResultsOut


class ResultsController(Controller):
    path = "/api/host/outreach/results"
    tags = ["outreach"]
    guards = [staff.member_desk]
    dependencies = {"host_id": Provide(staff.provide_host_scope)}

    @get("/")
    async def results(
        self,
        request: Request[Any, Any, Any],
        host_id: int,
        days: Annotated[int, Parameter(ge=1, le=92)] = 30,
    ) -> ResultsOut:
        """The last `days` business days: per journey and campaign the messages made, sent,
        delivered, opened, clicked and the orders that followed within ATTRIBUTION_DAYS of a
        delivery (each order credited once, to the latest message before it), and per day
        the messages sent and the orders and sales that followed."""
        settings = request.app.state.settings
        return await results.results(
            host_id,
            days,
            attribution_days=settings.attribution_days,
            zone=settings.business_timezone,
        )


CONTROLLERS = [ResultsController]
