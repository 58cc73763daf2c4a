"""An operator's refund after completion (a later dispute): POST /api/admin/orders/{id}/refunds."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.di import Provide
from litestar.params import HeaderParameter

from livecommerce.domains.orders import disputes
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.infra.auth import Actor, provide_actor, requires
from livecommerce.infra.errors import DomainError, ErrorCode


class DisputeRefundController(Controller):
    path = "/api/admin/orders"
    tags = ["admin"]
    guards = [requires("admin")]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/{order_id:int}/refunds", status_code=201)
    async def refund(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        order_hooks: OrderHooks,
        order_id: int,
        data: disputes.DisputeRefund,
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=200)
        ] = None,
    ) -> Response[bytes]:
        """Refund a completed order (a dispute decided for the buyer): `amount` (fen, at most
        what is left: 409 `refund_too_large` with `refundable`) and a `reason`. Paid from the
        host's receivable; commissions are reversed pro rata by the clawback policy. Send an
        `Idempotency-Key`: a retry replays the first answer and refunds nothing more."""
        if not idempotency_key:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REQUIRED, detail="send an Idempotency-Key header"
            )
        status, body, replayed = await disputes.dispute_refund(
            request.app.state.settings, order_hooks, order_id, actor, data, idempotency_key
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(body, status_code=status, media_type="application/json", headers=headers)


CONTROLLERS = [DisputeRefundController]
