from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter, QueryParameter
from litestar.types import ASGIApp, Receive, Scope, Send

from livecommerce.domains.promotions import coupons, host_lists, red_packets
from livecommerce.domains.promotions.hooks import PromotionHooks
from livecommerce.domains.promotions.schemas import (
    CouponOut,
    CouponState,
    CreateCoupon,
    GrabOut,
    HostCouponPage,
    HostRedPacketPage,
    RedPacketOut,
    RedPacketState,
    SendRedPacket,
    UserCouponOut,
    UserCouponPage,
)
from livecommerce.infra.auth import Actor, authenticated, current_actor, provide_actor, requires

_actor = {"actor": Provide(provide_actor)}


class RoomPromotionController(Controller):
    """A host's promotions in one of its rooms."""

    path = "/api/rooms/{room_id:int}"
    tags = ["promotions"]

    @post("/coupons", guards=[requires("host")], dependencies=_actor, status_code=201)
    async def create_coupon(self, actor: Actor, room_id: int, data: CreateCoupon) -> CouponOut:
        """Make a coupon for the room: amount off above a minimum spend (满减; minSpend 0: no
        threshold) or percent off with a cap; validity; quota and per-user limits; scope;
        live-only. `drop: true` drops it now."""
        return await coupons.create_coupon(actor.id, room_id, data)

    @get("/coupons")
    async def room_coupons(self, room_id: int) -> list[CouponOut]:
        """The room's dropped coupons that can still be claimed."""
        return await coupons.room_coupons(room_id)

    @post("/red-packets", guards=[requires("host")], dependencies=_actor, status_code=201)
    async def send_red_packet(
        self, request: Request[Any, Any, Any], actor: Actor, room_id: int, data: SendRedPacket
    ) -> RedPacketOut:
        """Send a red packet into the room: the total leaves the host's wallet at once (409
        insufficient_balance if it can't); what is not grabbed by the expiry comes back."""
        return await red_packets.send_red_packet(request.app.state.redis, actor.id, room_id, data)


class CouponController(Controller):
    path = "/api/coupons/{coupon_id:int}"
    tags = ["promotions"]

    @post("/drop", guards=[requires("host")], dependencies=_actor, status_code=200)
    async def drop(self, actor: Actor, coupon_id: int) -> CouponOut:
        """Drop the coupon into its live room (a `coupon` event in the room's ticks)."""
        return await coupons.drop_coupon(coupon_id, actor.id)

    @post("/claim", guards=[authenticated], dependencies=_actor, status_code=201)
    async def claim(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        coupon_id: int,
        promotion_hooks: PromotionHooks,
    ) -> UserCouponOut:
        """Claim one copy: 409 coupon_sold_out, coupon_limit_reached, coupon_daily_limit_reached,
        room_not_live."""
        return await coupons.claim_coupon(
            request.app.state.redis,
            request.app.state.settings,
            coupon_id,
            actor.id,
            promotion_hooks,
        )


class MyCouponController(Controller):
    path = "/api/me/coupons"
    tags = ["promotions"]
    guards = [authenticated]
    dependencies = _actor

    @get("/")
    async def mine(
        self,
        actor: Actor,
        status: Literal["available", "usable", "held", "used", "expired"] | None = None,
        cursor: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> UserCouponPage:
        """My coupons, newest first (usable: available and still valid; expired: available but
        past validity)."""
        return await coupons.my_coupons(actor.id, status, cursor, limit)


_encode = msgspec.json.Encoder().encode


class _JsonAnswer:
    """A finished 200 JSON body as a bare ASGI app: Litestar's Response and ASGIResponse assembly
    profiled at ~10 % of a grab (bench/grab.py). The app's before_send hooks (security headers)
    still see it."""

    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(self.body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


class _storm_post(post):  # lower case: a route decorator, as Litestar's own
    """`post` whose guards get the handler itself: Litestar hands each guard a copy (copy.copy of
    the handler, ~4 % of a grab, bench/grab.py); ours only read the connection."""

    async def authorize_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        for guard in self.resolve_guards():
            await guard(connection, self)  # type: ignore[misc]  # our guards are async (auth.py)


class RedPacketController(Controller):
    path = "/api/red-packets/{packet_id:int}"
    tags = ["promotions"]
    guards = [authenticated]

    # The storm's endpoint: no dependency injection and a pre-encoded body (measured in
    # bench/grab.py).
    @_storm_post(
        "/grab", status_code=200, responses={200: ResponseSpec(GrabOut, description="won or empty")}
    )
    async def grab(self, request: Request[Any, Any, Any], packet_id: int) -> ASGIApp:
        """Grab a part: `won` (with the amount, already in your wallet) or `empty`; a repeat
        answers your part again."""
        result = await red_packets.grab(
            request.app.state.redis, packet_id, current_actor(request).id
        )
        return _JsonAnswer(_encode(result))

    @get("/")
    async def show(self, packet_id: int) -> RedPacketOut:
        """Status, who grabbed what, and the best luck (手气最佳) once nothing is left to grab."""
        return await red_packets.get_red_packet(packet_id)


class HostPromotionController(Controller):
    """A host's own coupons and red packets across its rooms (another host's never show)."""

    path = "/api/host"
    tags = ["promotions"]
    guards = [requires("host")]
    dependencies = _actor

    @get("/coupons")
    async def coupons(
        self,
        actor: Actor,
        room_id: Annotated[int | None, QueryParameter(name="roomId")] = None,
        status: CouponState | None = None,
        cursor: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> HostCouponPage:
        """My coupons, newest first: `status` draft (not dropped yet), live (dropped, claimable),
        sold_out (quota claimed) or expired; each with its quota, claimed and used copies."""
        return await host_lists.coupons(actor.id, room_id, status, cursor, limit)

    @get("/red-packets")
    async def red_packets(
        self,
        actor: Actor,
        room_id: Annotated[int | None, QueryParameter(name="roomId")] = None,
        status: RedPacketState | None = None,
        cursor: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> HostRedPacketPage:
        """My red packets, newest first: `status` active, finished (all grabbed) or expired;
        each with the parts and amount grabbed so far."""
        return await host_lists.red_packets(actor.id, room_id, status, cursor, limit)


CONTROLLERS = [
    RoomPromotionController,
    CouponController,
    MyCouponController,
    RedPacketController,
    HostPromotionController,
]
