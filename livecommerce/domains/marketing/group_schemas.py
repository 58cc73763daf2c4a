"""Group-buy wire shapes (camelCase)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from livecommerce.domains.orders.schemas import Address
from livecommerce.infra.schema import In, Out


class GroupPriceIn(In, frozen=True):
    sku_id: int
    price: Annotated[int, msgspec.Meta(ge=1, le=10**10)]


class GroupOfferIn(In, frozen=True):
    """A product's group terms: N people (2–50) within H hours (1–72), a price per SKU, and
    whether distributors earn commission on group orders."""

    group_size: Annotated[int, msgspec.Meta(ge=2, le=50)]
    hours: Annotated[int, msgspec.Meta(ge=1, le=72)]
    prices: Annotated[list[GroupPriceIn], msgspec.Meta(min_length=1, max_length=100)]
    enabled: bool = True
    pays_commission: bool = True


class GroupPriceOut(Out):
    sku_id: int
    price: int  # the group price
    list_price: int  # the SKU's own price (单独购买)


class OpenGroupOut(Out):
    """One open group of a product, as the product page lists it (还差 N 人)."""

    id: int
    leader_name: str
    seats_left: int
    expires_at: datetime


class GroupOfferOut(Out):
    product_id: int
    enabled: bool
    group_size: int
    hours: int
    pays_commission: bool
    prices: list[GroupPriceOut]
    open_groups: list[OpenGroupOut] = []
    server_now: datetime | None = None  # the countdowns count from the server's clock


class GroupMemberOut(Out):
    """A seat taken by a paid order: a display name and its initial only, never an id."""

    seat: int
    name: str
    initial: str
    leader: bool


class MyPlace(Out):
    """The viewer's own order in this group (only ever their own)."""

    order_id: int
    status: str  # pending (unpaid, no seat yet) | seated | succeeded | refunded | released
    rehomed_from: int | None = None  # the full group they paid for; they lead this one


class GroupOut(Out):
    id: int
    product_id: int
    product_title: str
    image_url: str | None
    status: str  # open | succeeded | failed | pending | abandoned
    group_size: int
    paid_count: int
    seats_left: int
    expires_at: datetime | None
    server_now: datetime
    group_price: int  # the lowest group price of the product's SKUs
    list_price: int
    members: list[GroupMemberOut]
    prices: list[GroupPriceOut]
    me: MyPlace | None = None


class GroupOrderIn(In, frozen=True):
    """Open a group (POST /api/group-buys) or join one (POST /api/group-buys/{id}/join): one SKU
    of the offer's product at its group price, shipped to `addressId` or `address` as any
    order. The order is placed unpaid; paying it (POST /api/orders/{id}/pay) takes the seat."""

    sku_id: int
    quantity: Annotated[int, msgspec.Meta(ge=1, le=99)] = 1
    address_id: int | None = None
    address: Address | None = None
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""
    room_id: int | None = None
    session_id: int | None = None


class MyGroupOut(Out):
    group: GroupOut
    order_id: int
