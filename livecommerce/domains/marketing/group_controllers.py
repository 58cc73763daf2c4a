"""Group-buy endpoints: the host's terms per product, opening and joining a group (an order
placed unpaid, paid through POST /api/orders/{id}/pay like any), the group page's data and the
buyer's own groups."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import HeaderParameter

from livecommerce.domains.marketing import group_checkout, group_offers, group_queries
from livecommerce.domains.marketing.group_schemas import (
    GroupOfferIn,
    GroupOfferOut,
    GroupOrderIn,
    GroupOut,
    MyGroupOut,
)
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.infra.auth import Actor, authenticated, provide_actor, requires
from livecommerce.infra.errors import DomainError, ErrorCode

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", max_length=200)]


def _key(idempotency_key: str | None) -> str:
    if not idempotency_key:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_KEY_REQUIRED, detail="send an Idempotency-Key header"
        )
    return idempotency_key


class ProductGroupBuyController(Controller):
    path = "/api/products/{product_id:int}/group-buy"
    tags = ["group buys"]

    @get("/")
    async def get_offer(self, maybe_actor: Actor | None, product_id: int) -> GroupOfferOut:
        """The product's group terms (单独购买 beside 发起拼团) and the groups open to join."""
        return await group_offers.get_offer(product_id, maybe_actor)

    @put("/", guards=[requires("host")], dependencies={"actor": Provide(provide_actor)})
    async def set_offer(self, actor: Actor, product_id: int, data: GroupOfferIn) -> GroupOfferOut:
        """The host sets the group price per SKU, the size N (2–50) and the hours H (1–72)."""
        return await group_offers.set_offer(product_id, actor, data)


def _placed(status: int, body: bytes, replayed: bool) -> Response[bytes]:
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class GroupBuyController(Controller):
    path = "/api/group-buys"
    tags = ["group buys"]

    @post(
        "/", status_code=201, guards=[authenticated], dependencies={"actor": Provide(provide_actor)}
    )
    async def open_group(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        order_hooks: OrderHooks,
        data: GroupOrderIn,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Open a group as its leader: `{groupId, order}`, the order unpaid. Paying it opens the
        group for H hours; 409 group_buy_already_in while you are in an open group of it."""
        return _placed(
            *await group_checkout.place(
                request.app.state.settings,
                order_hooks,
                actor.id,
                data,
                _key(idempotency_key),
                join=None,
            )
        )

    @post(
        "/{group_id:int}/join",
        status_code=201,
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def join_group(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        order_hooks: OrderHooks,
        group_id: int,
        data: GroupOrderIn,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Join someone's group: the order is placed unpaid and holds no seat; paying it takes
        one (a group full by then makes you the leader of a new one). 409 group_buy_own,
        group_buy_full, group_buy_expired, group_buy_already_in."""
        return _placed(
            *await group_checkout.place(
                request.app.state.settings,
                order_hooks,
                actor.id,
                data,
                _key(idempotency_key),
                join=group_id,
            )
        )

    @get("/{group_id:int}")
    async def get_group(self, maybe_actor: Actor | None, group_id: int) -> GroupOut:
        """The group page's data: seats taken by paid orders (names and initials only), empty
        seats, the deadline and the server's clock; `me` is the viewer's own place."""
        return await group_queries.get_group(group_id, maybe_actor)


class MyGroupBuysController(Controller):
    path = "/api/me/group-buys"
    tags = ["group buys"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def mine(self, actor: Actor) -> list[MyGroupOut]:
        """My groups, newest first (我的拼团)."""
        return await group_queries.my_groups(actor)


CONTROLLERS = [ProductGroupBuyController, GroupBuyController, MyGroupBuysController]
