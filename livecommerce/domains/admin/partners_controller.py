"""/api/admin/partners: hosts and distributors with their figures; suspend and reinstate."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import Parameter

from livecommerce.domains.admin import partners
from livecommerce.domains.admin.schemas import (
    PartnerKind,
    PartnerPage,
    PartnerStandingOut,
    SuspendPartner,
)
from livecommerce.domains.admin.users_controller import Cursor, Limit, Search
from livecommerce.infra.auth import Actor, provide_actor, requires

Status = Annotated[str | None, Parameter(pattern=r"^(active|suspended)$", max_length=9)]


class AdminPartnersController(Controller):
    path = "/api/admin/partners"
    tags = ["admin"]
    guards = [requires("admin")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def list_partners(
        self,
        kind: PartnerKind = "host",
        status: Status = None,
        q: Search = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> PartnerPage:
        """Hosts (paid orders, GMV and refunded in fen, rooms) or distributors (code, buyers
        bound now, orders, commissions pending and settled net of reversals, in fen)."""
        return await partners.page(kind, status, q, cursor, limit)

    @post("/{user_id:int}/suspend", status_code=200)
    async def suspend(self, actor: Actor, user_id: int, data: SuspendPartner) -> PartnerStandingOut:
        """A suspended host can't go live or create products; a suspended distributor earns no
        commission on new orders and can't withdraw (409 `suspended`)."""
        return await partners.set_suspended(actor, user_id, data, suspend=True)

    @post("/{user_id:int}/reinstate", status_code=200)
    async def reinstate(
        self, actor: Actor, user_id: int, data: SuspendPartner
    ) -> PartnerStandingOut:
        return await partners.set_suspended(actor, user_id, data, suspend=False)
