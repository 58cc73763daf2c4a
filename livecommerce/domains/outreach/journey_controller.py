"""A host's journey switches and its products' repurchase cycles."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, put
from litestar.di import Provide

from livecommerce.domains.outreach import cycles, journey_settings
from livecommerce.domains.outreach.journey_schemas import CycleIn, CycleOut, JourneysIn, JourneysOut
from livecommerce.infra.auth import Actor, provide_actor, requires
from livecommerce.settings import Settings


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


class JourneyController(Controller):
    path = "/api/host"
    tags = ["outreach"]
    guards = [requires("host")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/outreach-journeys")
    async def journeys(self, actor: Actor) -> JourneysOut:
        """Each journey on or off, and the coupon viewed-not-bought gives."""
        return await journey_settings.get_settings(actor.id)

    @put("/outreach-journeys")
    async def save_journeys(self, actor: Actor, data: JourneysIn) -> JourneysOut:
        """Switch the journeys named (422 journey_invalid: viewed-not-bought needs a coupon;
        404 for a coupon not yours)."""
        return await journey_settings.put_settings(actor.id, data)

    @get("/products/{product_id:int}/repurchase-cycle")
    async def cycle(
        self, request: Request[Any, Any, Any], actor: Actor, product_id: int
    ) -> CycleOut:
        """The product's cycle: yours, the learned one, and which one reminders use."""
        return await cycles.get_cycle(product_id, actor.id, _settings(request))

    @put("/products/{product_id:int}/repurchase-cycle")
    async def save_cycle(
        self, request: Request[Any, Any, Any], actor: Actor, product_id: int, data: CycleIn
    ) -> CycleOut:
        """Set the cycle in days (null: back to the learned one); 404 for another's product."""
        return await cycles.put_cycle(product_id, actor.id, data, _settings(request))


CONTROLLERS = [JourneyController]
