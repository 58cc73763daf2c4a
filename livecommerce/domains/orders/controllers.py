from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import HeaderParameter, Parameter

from livecommerce.domains.orders import lifecycle, refunds, services
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.queries import page, visible_order
from livecommerce.domains.orders.rules import Status
from livecommerce.domains.orders.schemas import (
    CancelOrder,
    OrderOut,
    OrderPage,
    PaymentOut,
    PayOrder,
    PlaceOrder,
    RequestRefund,
    ShipOrder,
)
from livecommerce.domains.payments.hooks import PaymentHooks
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, authenticated, provide_actor, requires
from livecommerce.infra.errors import DomainError, ErrorCode

# The `status` query filter: spelled out so it is a static type; checked against Status below.
StatusFilter = Literal[
    "pending_payment",
    "paid",
    "shipped",
    "received",
    "completed",
    "cancelled",
    "refunding",
    "refunded",
]
if set(get_args(StatusFilter)) != {s.value for s in Status}:
    raise RuntimeError("StatusFilter must list exactly the values of orders.rules.Status")


def _done(out: OrderOut | None) -> OrderOut:
    """A person's step always answers with the order (only the system's may find nothing due)."""
    if out is None:
        raise RuntimeError("a step taken by a person returned no order")
    return out


class OrderController(Controller):
    path = "/api/orders"
    tags = ["orders"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/", status_code=201)
    async def place(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        order_hooks: OrderHooks,
        data: PlaceOrder,
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=200)
        ] = None,
    ) -> Response[bytes]:
        """Place an order. Send an `Idempotency-Key`: a retry with the same key and body replays
        the first response; the same key with another body is 422."""
        if not idempotency_key:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REQUIRED,
                detail="send an Idempotency-Key header",
            )
        status, body, replayed = await services.place_order(
            request.app.state.settings, order_hooks, actor.id, data, idempotency_key
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(body, status_code=status, media_type="application/json", headers=headers)

    @get("/{order_id:int}")
    async def get_order(self, actor: Actor, order_id: int) -> OrderOut:
        async with db.connection() as conn:
            return await visible_order(conn, order_id, actor)

    @post("/{order_id:int}/pay", status_code=200)
    async def pay(
        self,
        actor: Actor,
        payment_hooks: PaymentHooks,
        order_id: int,
        data: PayOrder | None = None,
    ) -> PaymentOut:
        """Pay from the wallet (done at once) or through a gateway (follow `payUrl`)."""
        data = data or PayOrder()
        return await lifecycle.start_payment(
            payment_hooks, order_id, actor, data.method, data.provider
        )

    @post("/{order_id:int}/cancel", status_code=200)
    async def cancel(
        self,
        actor: Actor,
        order_hooks: OrderHooks,
        order_id: int,
        data: CancelOrder | None = None,
    ) -> OrderOut:
        reason = (data or CancelOrder()).reason
        return _done(await lifecycle.cancel(order_hooks, order_id, actor, reason))

    @post("/{order_id:int}/ship", status_code=200)
    async def ship(
        self, request: Request[Any, Any, Any], actor: Actor, order_id: int, data: ShipOrder
    ) -> OrderOut:
        return await lifecycle.ship(request.app.state.settings, order_id, actor, data.tracking_no)

    @post("/{order_id:int}/confirm", status_code=200)
    async def confirm(
        self, request: Request[Any, Any, Any], actor: Actor, order_id: int
    ) -> OrderOut:
        return _done(await lifecycle.confirm(request.app.state.settings, order_id, actor))

    @post("/{order_id:int}/complete", status_code=200)
    async def complete(
        self, request: Request[Any, Any, Any], actor: Actor, order_hooks: OrderHooks, order_id: int
    ) -> OrderOut:
        """Admins only: close the after-sales window now and settle."""
        settings = request.app.state.settings
        return _done(await lifecycle.complete(settings, order_hooks, order_id, actor))

    @post("/{order_id:int}/refund", status_code=200)
    async def refund(self, actor: Actor, order_id: int, data: RequestRefund) -> OrderOut:
        """Ask for a refund of all that is left, an amount, or one item."""
        return await refunds.request_refund(order_id, actor, data)


class RefundController(Controller):
    path = "/api/refunds"
    tags = ["orders"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/{refund_id:int}/approve", status_code=200)
    async def approve(self, actor: Actor, order_hooks: OrderHooks, refund_id: int) -> OrderOut:
        return await refunds.approve_refund(order_hooks, refund_id, actor)

    @post("/{refund_id:int}/reject", status_code=200)
    async def reject(self, actor: Actor, refund_id: int) -> OrderOut:
        return await refunds.reject_refund(refund_id, actor)


class MyOrdersController(Controller):
    tags = ["orders"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/api/me/orders")
    async def mine(
        self,
        actor: Actor,
        status: StatusFilter | None = None,
        cursor: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> OrderPage:
        async with db.connection() as conn:
            items, next_cursor = await page(
                conn, side="buyer", user_id=actor.id, status=status, cursor=cursor, limit=limit
            )
        return OrderPage(items=items, next_cursor=next_cursor)

    @get("/api/host/orders", guards=[requires("host")])
    async def hosted(
        self,
        actor: Actor,
        status: StatusFilter | None = None,
        cursor: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> OrderPage:
        """The orders of the host's products, to ship and to answer refunds."""
        async with db.connection() as conn:
            items, next_cursor = await page(
                conn, side="host", user_id=actor.id, status=status, cursor=cursor, limit=limit
            )
        return OrderPage(items=items, next_cursor=next_cursor)


CONTROLLERS = [OrderController, RefundController, MyOrdersController]
