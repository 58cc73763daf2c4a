"""Points over HTTP: a buyer's points with a host (and what they'd take off an order), their
history, and the host's points rules."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, put
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter

from livecommerce.domains.members import points_reads
from livecommerce.domains.members.points_schemas import (
    HostPointsOut,
    MyPointsOut,
    PointsEntryPage,
    PointsSettingsIn,
    PointsSettingsOut,
)
from livecommerce.infra.auth import Actor, authenticated, provide_actor, requires

HostId = Annotated[int, QueryParameter(name="hostId", ge=1, le=2_147_483_647)]


class MyPointsController(Controller):
    path = "/api/me/points"
    tags = ["members"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def my_points(
        self,
        actor: Actor,
        host_id: HostId,
        amount: Annotated[int | None, Parameter(ge=0, le=100_000_000_000)] = None,
    ) -> MyPointsOut:
        """Your points with host `hostId`: available (may be spent), frozen (earned, thawing on
        the dates in `thawing`) and the host's rules; with `amount` (fen still due on an order,
        the quote's payAmount) the most points you may spend on it and what they take off
        (`offer`, what PlaceOrder `points` takes). 404 when `hostId` is not a host."""
        return await points_reads.my_points(actor.id, host_id, amount)

    @get("/hosts")
    async def my_hosts(self, actor: Actor) -> list[HostPointsOut]:
        """Every host you hold points with, and how many."""
        return await points_reads.my_hosts(actor.id)

    @get("/entries")
    async def my_entries(
        self,
        actor: Actor,
        host_id: HostId,
        cursor: Annotated[int | None, Parameter(ge=1, le=2_147_483_647)] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> PointsEntryPage:
        """Your points history with host `hostId`, newest first: each movement of your
        available or frozen points and why (earn, thaw, spend, return, refund)."""
        return await points_reads.my_entries(actor.id, host_id, cursor, limit)


class HostPointsController(Controller):
    path = "/api/host/points-settings"
    tags = ["members"]
    guards = [requires("host")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def get_settings(self, actor: Actor) -> PointsSettingsOut:
        """Your points rules in force (the defaults until you set them)."""
        return await points_reads.host_settings(actor.id)

    @put("/")
    async def put_settings(self, actor: Actor, data: PointsSettingsIn) -> PointsSettingsOut:
        """Change some of your points rules (fields left out keep their value): earnBp
        (0-10000), frozenDays (0-365), pointsPerYuan (1-100000), capBp (0-10000). They apply to
        orders completed or placed from now on."""
        return await points_reads.update_settings(actor.id, data)


CONTROLLERS = [MyPointsController, HostPointsController]
