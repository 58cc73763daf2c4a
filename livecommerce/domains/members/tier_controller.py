"""Tier and benefit routes: a host edits its ladder and benefits (its staff may read them); a
member reads their standing with one host or all of theirs, and opens member-day red packets."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import Provide

from livecommerce.domains.members import benefits, member_packets, memberships, tiers
from livecommerce.domains.members.staff import member_desk, provide_host_scope
from livecommerce.domains.members.tier_schemas import (
    BenefitsIn,
    BenefitsOut,
    LadderIn,
    LadderOut,
    MembershipList,
    MembershipOut,
    OpenedPackets,
)
from livecommerce.infra.auth import Actor, authenticated, provide_actor, requires

_actor = {"actor": Provide(provide_actor)}
_scope = {"desk_host": Provide(provide_host_scope)}


def _zone(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.settings.business_timezone)


class HostTierController(Controller):
    """The host's tier ladder and benefits: edited by the host, read by its staff too."""

    path = "/api/host"
    tags = ["members"]

    @get("/tiers", guards=[member_desk], dependencies=_scope)
    async def ladder(self, request: Request[Any, Any, Any], desk_host: int) -> LadderOut:
        """The ladder (lowest tier first) and the window growth is summed over."""
        return await tiers.get_ladder(desk_host, _zone(request))

    @put("/tiers", guards=[requires("host")], dependencies=_actor)
    async def save_ladder(
        self, request: Request[Any, Any, Any], actor: Actor, data: LadderIn
    ) -> LadderOut:
        """Replace the ladder: at most 8 tiers, unique codes, thresholds ascending (422
        tier_ladder_invalid); a tier that still has benefits can't be removed (409
        tier_has_benefits). Members are re-evaluated by the worker."""
        return await tiers.put_ladder(actor.id, data, _zone(request))

    @get("/benefits", guards=[member_desk], dependencies=_scope)
    async def benefits(self, desk_host: int) -> BenefitsOut:
        """Each tier's benefits: voucher, member-day red packet, member prices."""
        return await benefits.get_benefits(desk_host)

    @put("/benefits", guards=[requires("host")], dependencies=_actor)
    async def save_benefits(self, actor: Actor, data: BenefitsIn) -> BenefitsOut:
        """Replace the benefits (422 benefit_invalid; 404 for a coupon or SKU not yours)."""
        return await benefits.put_benefits(actor.id, data)


class MembershipController(Controller):
    path = "/api"
    tags = ["members"]
    guards = [authenticated]
    dependencies = _actor

    @get("/me/memberships")
    async def mine(self, actor: Actor) -> MembershipList:
        """My standing with every host I have bought from."""
        return await memberships.my_memberships(actor.id)

    @get("/hosts/{host_id:int}/membership")
    async def with_host(self, actor: Actor, host_id: int) -> MembershipOut:
        """My tier with this host, the window's growth, what reaching the next tier and keeping
        this one take (404 for a user who is not a host)."""
        return await memberships.membership(actor.id, host_id)

    @post("/hosts/{host_id:int}/membership/packets/open", status_code=200)
    async def open_packets(self, actor: Actor, host_id: int) -> OpenedPackets:
        """Open my member-day red packets from this host into my wallet (a repeat opens
        nothing more)."""
        await memberships.ensure_host(host_id)
        count, fen = await member_packets.open_all(host_id, actor.id)
        return OpenedPackets(opened=count, amount=fen)


CONTROLLERS = [HostTierController, MembershipController]
