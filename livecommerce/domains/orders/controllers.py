from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import HeaderParameter, Parameter

from livecommerce.domains.orders import after_sales, buyer, lifecycle, refunds, services
from livecommerce.domains.orders.desk_controller import CONTROLLERS as DESK_CONTROLLERS
from livecommerce.domains.orders.disputes_controller import CONTROLLERS as DISPUTE_CONTROLLERS
from livecommerce.domains.orders.escalations_controller import (
    CONTROLLERS as ESCALATION_CONTROLLERS,
)
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.queries import page, visible_order
from livecommerce.domains.orders.rules import Status
from livecommerce.domains.orders.schemas import (
    ApproveRefund,
    CancelOrder,
    OrderOut,
    OrderPage,
    PaymentOut,
    PayOrder,
    PlaceOrder,
    RefundRequested,
    RejectRefund,
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
        request: Request[Any, Any, Any],
        actor: Actor,
        payment_hooks: PaymentHooks,
        order_id: int,
        data: PayOrder | None = None,
    ) -> PaymentOut:
        """Pay from the wallet (done at once) or through a gateway (follow `payUrl`, absolute:
        under PUBLIC_URL for the sandbox's page)."""
        data = data or PayOrder()
        return await lifecycle.start_payment(
            request.app.state.settings, payment_hooks, order_id, actor, data.method, data.provider
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
        """Ship a paid order: its carrier (SF, ZTO, YTO, YD, JD, EMS, other) and tracking
        number. Many at once: POST /api/host/desk/ship."""
        return await lifecycle.ship(
            request.app.state.settings, order_id, actor, data.tracking_no, data.carrier
        )

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
    async def refund(self, actor: Actor, order_id: int, data: RequestRefund) -> RefundRequested:
        """An after-sales request: all that is left, one `itemId`, or `items` with quantities;
        an `amount` (at most what they can give back: 409 `refund_too_large` with
        `refundable`); a `reasonCode` and/or `reason`; up to 3 `photos` uploaded through
        POST /api/uploads/images. Answers the order with the `refund` it opened."""
        return await after_sales.request_refund(order_id, actor, data)


class RefundController(Controller):
    path = "/api/refunds"
    tags = ["orders"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/{refund_id:int}/approve", status_code=200)
    async def approve(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        order_hooks: OrderHooks,
        refund_id: int,
        data: ApproveRefund | None = None,
    ) -> OrderOut:
        """Refund what was asked, or a smaller `amount` (a partial refund: `reason` required,
        shown to the buyer)."""
        data = data or ApproveRefund()
        return await refunds.approve_refund(
            request.app.state.settings,
            order_hooks,
            refund_id,
            actor,
            amount=data.amount,
            reason=data.reason,
        )

    @post("/{refund_id:int}/reject", status_code=200)
    async def reject(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        refund_id: int,
        data: RejectRefund | None = None,
    ) -> OrderOut:
        """Refuse the request; `reason` is shown to the buyer."""
        settings = request.app.state.settings
        return await refunds.reject_refund(
            settings, refund_id, actor, (data or RejectRefund()).reason
        )


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
        tab: buyer.Tab | None = None,
    ) -> OrderPage:
        """My orders, newest first: all, one `status`, or one `tab` (to_pay, to_ship,
        to_receive, after_sales: any with a refund, done: received or completed)."""
        async with db.connection() as conn:
            if tab is not None:
                items, next_cursor = await buyer.tab_page(conn, actor.id, tab, cursor, limit)
            else:
                items, next_cursor = await page(
                    conn, side="buyer", user_id=actor.id, status=status, cursor=cursor, limit=limit
                )
        return OrderPage(items=items, next_cursor=next_cursor)

    @get("/api/me/orders/counts")
    async def my_counts(self, actor: Actor) -> buyer.OrderCounts:
        """How many of my orders each tab of GET /api/me/orders?tab= lists."""
        async with db.connection() as conn:
            return await buyer.counts(conn, actor.id)

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


CONTROLLERS = [
    OrderController,
    RefundController,
    MyOrdersController,
    *DESK_CONTROLLERS,
    *DISPUTE_CONTROLLERS,
    *ESCALATION_CONTROLLERS,
]
