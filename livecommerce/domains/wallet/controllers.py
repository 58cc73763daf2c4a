from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import Provide
from litestar.params import Parameter

from livecommerce.domains.wallet import services
from livecommerce.domains.wallet.schemas import EntryPage, WalletOut
from livecommerce.infra.auth import Actor, authenticated, provide_actor


class WalletController(Controller):
    path = "/api/me/wallet"
    tags = ["wallet"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def wallet(self, actor: Actor) -> WalletOut:
        """Balances in fen: available, held by withdrawals, and for hosts escrow and receivable."""
        return await services.wallet(actor.id)

    @get("/entries")
    async def entries(
        self,
        actor: Actor,
        cursor: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> EntryPage:
        """The statement: every ledger entry on the user's accounts, newest first."""
        return await services.entries(actor.id, cursor, limit)


CONTROLLERS = [WalletController]
