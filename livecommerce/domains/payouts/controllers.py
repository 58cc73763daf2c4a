from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter

from livecommerce.domains.payouts import methods, services
from livecommerce.domains.payouts.schemas import (
    AddPayoutMethod,
    PayoutMethodOut,
    PayoutOut,
    PayoutPage,
    PayoutStatus,
    PayoutSummary,
    RejectPayout,
    RequestPayout,
)
from livecommerce.infra.auth import Actor, provide_actor, requires

Limit = Annotated[int, Parameter(ge=1, le=100)]
Cursor = Annotated[int | None, Parameter(ge=1)]


class HostPayoutController(Controller):
    """A host's takings out: payout methods on file, withdrawals and their history."""

    path = "/api/host"
    tags = ["payouts"]
    guards = [requires("host")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/payouts/summary")
    async def summary(self, request: Request[Any, Any, Any], actor: Actor) -> PayoutSummary:
        """In fen: available (settled takings), held by pending payouts, escrow, paid out; the
        minimum and the fee."""
        return await services.summary(request.app.state.settings, actor.id)

    @get("/payout-methods")
    async def list_methods(self, actor: Actor) -> list[PayoutMethodOut]:
        return await methods.listed(actor.id)

    @post("/payout-methods", status_code=201)
    async def add_method(self, actor: Actor, data: AddPayoutMethod) -> PayoutMethodOut:
        """An Alipay account (mobile number or e-mail) or a bank card (12-19 digits and the
        bank); answers show it masked."""
        return await methods.add(actor.id, data)

    @delete("/payout-methods/{method_id:int}", status_code=204)
    async def remove_method(self, actor: Actor, method_id: int) -> None:
        await methods.remove(actor.id, method_id)

    @post("/payouts", status_code=201)
    async def request_payout(
        self, request: Request[Any, Any, Any], actor: Actor, data: RequestPayout
    ) -> PayoutOut:
        """Withdraw settled takings to a payout method: held until an admin decides."""
        return await services.request(
            request.app.state.settings, actor.id, data.amount, data.method_id, data.note
        )

    @get("/payouts")
    async def history(
        self,
        actor: Actor,
        status: PayoutStatus | None = None,
        cursor: Cursor = None,
        limit: Limit = 20,
    ) -> PayoutPage:
        return await services.page(actor.id, status, cursor, limit)


class AdminPayoutController(Controller):
    """Operators review hosts' payouts (distributors' withdrawals: /api/admin/withdrawals)."""

    path = "/api/admin/payouts"
    tags = ["admin"]
    guards = [requires("admin")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def queue(
        self,
        status: PayoutStatus | None = None,
        host_id: Annotated[int | None, QueryParameter(name="hostId", ge=1)] = None,
        cursor: Cursor = None,
        limit: Limit = 20,
    ) -> PayoutPage:
        return await services.page(host_id, status, cursor, limit)

    @post("/{payout_id:int}/approve", status_code=200)
    async def approve(self, actor: Actor, payout_id: int) -> PayoutOut:
        """Pay it out through the provider (minus the fee); approved twice, it pays once (409)."""
        return await services.approve(payout_id, actor.id)

    @post("/{payout_id:int}/reject", status_code=200)
    async def reject(self, actor: Actor, payout_id: int, data: RejectPayout) -> PayoutOut:
        """Release the held amount back to the host's takings, with the reason the host sees."""
        return await services.reject(payout_id, actor.id, data.reason)


CONTROLLERS = [HostPayoutController, AdminPayoutController]
