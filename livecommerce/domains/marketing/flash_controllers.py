"""Flash sales over HTTP: a host makes and ends them; viewers read and buy."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import HeaderParameter

from livecommerce.domains.live import queries as rooms
from livecommerce.domains.marketing import flash_orders, flash_sales
from livecommerce.domains.marketing.flash_schemas import BuyFlash, CreateFlashSale, FlashSaleOut
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.payments.hooks import PaymentHooks
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, authenticated, provide_actor, requires
from livecommerce.infra.errors import DomainError, ErrorCode

_actor = {"actor": Provide(provide_actor)}


class RoomFlashSaleController(Controller):
    """A host's flash sales in one of its rooms."""

    path = "/api/rooms/{room_id:int}/flash-sales"
    tags = ["marketing"]

    @post("/", guards=[requires("host")], dependencies=_actor, status_code=201)
    async def create(
        self, request: Request[Any, Any, Any], actor: Actor, room_id: int, data: CreateFlashSale
    ) -> FlashSaleOut:
        """Make a flash sale of a showcase SKU: it counts down `countdownSeconds` (10–300), then
        is open `windowMinutes` (1–20) at `price` for `quantity` units, `perUserLimit` each.
        409 flash_sale_exists (one per SKU at a time), flash_price_not_lowest (not below the
        30-day low: send `acknowledgeNotLowest` to make it anyway), out_of_stock."""
        return await flash_sales.create_flash_sale(request.app.state.redis, actor.id, room_id, data)

    @get("/", guards=[requires("host")], dependencies=_actor)
    async def list_sales(
        self, request: Request[Any, Any, Any], actor: Actor, room_id: int
    ) -> list[FlashSaleOut]:
        """The room's flash sales, the ended ones too, newest first (its host only)."""
        async with db.connection() as conn:
            await rooms.hosted_room(conn, room_id, actor.id)
        return await flash_sales.room_flash_sales(request.app.state.redis, room_id, ended=True)


class FlashSaleController(Controller):
    path = "/api/flash-sales/{sale_id:int}"
    tags = ["marketing"]

    @get("/")
    async def get_sale(self, request: Request[Any, Any, Any], sale_id: int) -> FlashSaleOut:
        """A flash sale as its room shows it: phase, the server's time, units left."""
        return await flash_sales.get_flash_sale(request.app.state.redis, sale_id)

    @post("/end", guards=[requires("host")], dependencies=_actor, status_code=200)
    async def end(
        self, request: Request[Any, Any, Any], actor: Actor, sale_id: int
    ) -> FlashSaleOut:
        """End the sale now: what no order holds goes back to the SKU's stock."""
        await flash_sales.end_flash_sale(request.app.state.redis, sale_id, host_id=actor.id)
        return await flash_sales.get_flash_sale(request.app.state.redis, sale_id)

    @post("/orders", guards=[authenticated], dependencies=_actor, status_code=201)
    async def buy(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        order_hooks: OrderHooks,
        payment_hooks: PaymentHooks,
        sale_id: int,
        data: BuyFlash,
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=200)
        ] = None,
    ) -> Response[bytes]:
        """Buy units of the open sale: an order to pay (POST /api/orders/{id}/pay) before its
        deadline, or paid at once with `payWith: "wallet"` (409 insufficient_balance places
        nothing). 409 flash_not_started, flash_ended, flash_limit_reached, flash_sold_out
        (已抢光); 503 busy (retry). Send an `Idempotency-Key`, as for POST /api/orders."""
        if not idempotency_key:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REQUIRED, detail="send an Idempotency-Key header"
            )
        status, body, replayed = await flash_orders.buy(
            request.app.state.settings,
            order_hooks,
            request.app.state.redis,
            actor.id,
            sale_id,
            data,
            idempotency_key,
            payment_hooks,
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(body, status_code=status, media_type="application/json", headers=headers)


CONTROLLERS = [RoomFlashSaleController, FlashSaleController]
