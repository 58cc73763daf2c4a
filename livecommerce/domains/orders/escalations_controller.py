"""The buyer's escalation of an order to the platform: POST /api/orders/{id}/escalate."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import Provide

from livecommerce.domains.orders import escalations
from livecommerce.infra.auth import Actor, authenticated, provide_actor


class EscalationController(Controller):
    path = "/api/orders"
    tags = ["orders"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/{order_id:int}/escalate", status_code=201)
    async def escalate(
        self, actor: Actor, order_id: int, data: escalations.Escalate
    ) -> escalations.EscalationOut:
        """The buyer asks the platform to step in (`reason`): within the after-sales window or
        15 days after the shop rejected a refund (else 409 `illegal_transition`); one open per
        order (409 `conflict`)."""
        return await escalations.escalate(order_id, actor, data)

    @get("/{order_id:int}/escalations")
    async def listed(self, actor: Actor, order_id: int) -> list[escalations.EscalationOut]:
        """The order's escalations with the platform's answers, newest first."""
        return await escalations.of_order(order_id, actor)


CONTROLLERS = [EscalationController]
