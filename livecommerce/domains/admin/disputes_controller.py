"""Refunds in dispute: GET /api/admin/disputes, grant (a refund) or dismiss."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import HeaderParameter, Parameter

from livecommerce.domains.admin import disputes
from livecommerce.domains.orders import escalations
from livecommerce.domains.orders.disputes import DisputeRefund
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.infra.auth import Actor, provide_actor, requires
from livecommerce.infra.errors import DomainError, ErrorCode


class DisputeController(Controller):
    path = "/api/admin/disputes"
    tags = ["admin"]
    guards = [requires("admin")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def listed(
        self,
        days: Annotated[int, Parameter(ge=1, le=365)] = 30,
        view: disputes.View = "all",
    ) -> disputes.DisputePage:
        """Orders a buyer took to the platform and refunds hosts rejected in the last `days`:
        `view` open (an escalation waits), rejected (a rejection, not escalated) or all. Open
        escalations first."""
        return await disputes.listed(days, view)

    @post("/orders/{order_id:int}/grant", status_code=201)
    async def grant(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        order_hooks: OrderHooks,
        order_id: int,
        data: DisputeRefund,
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=200)
        ] = None,
    ) -> Response[bytes]:
        """Decide for the buyer: refund `amount` (fen, at most what is left) with the `reason`
        they see. A completed order through the dispute refund (POST
        /api/admin/orders/{id}/refunds), one before completion as an admin refund out of the
        escrow. Closes the order's open escalation; audited `refund.dispute`. Send an
        `Idempotency-Key`."""
        if not idempotency_key:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REQUIRED, detail="send an Idempotency-Key header"
            )
        status, body, replayed = await disputes.grant(
            request.app.state.settings, order_hooks, order_id, actor, data, idempotency_key
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    @post("/escalations/{escalation_id:int}/dismiss", status_code=200)
    async def dismiss(
        self, actor: Actor, escalation_id: int, data: escalations.DismissEscalation
    ) -> escalations.EscalationOut:
        """Decide for the host: the escalation closes with the `reason` the buyer sees; audited
        `escalation.dismiss`."""
        return await escalations.dismiss(escalation_id, actor, data)


CONTROLLERS = [DisputeController]
