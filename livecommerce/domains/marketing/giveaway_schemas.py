"""Giveaways on the wire (camelCase)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.domains.orders.schemas import Address
from livecommerce.infra.schema import In, Out


class StartGiveaway(In, frozen=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    # coupon: each winner gets a copy of `couponId` (one of the room's coupons); red_packet: each
    # winner gets `amount` fen, paid from the host's wallet when the giveaway starts; product: each
    # winner gets one unit of `skuId` (one of the host's SKUs, set aside from its stock now),
    # shipped to the address given at the claim as a zero-price order.
    prize_kind: Literal["coupon", "red_packet", "product"]
    winners: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    duration_minutes: Annotated[int, msgspec.Meta(ge=1, le=24 * 60)]
    coupon_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    amount: Annotated[int, msgspec.Meta(ge=1, le=10**8)] | None = None
    sku_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    # Entry tasks: comment the keyword, watch at least N minutes, follow the room.
    keyword: Annotated[str, msgspec.Meta(min_length=1, max_length=20)] | None = None
    watch_minutes: Annotated[int, msgspec.Meta(ge=0, le=24 * 60)] = 0
    require_follow: bool = False
    # A prize not claimed within `claimHours`: drawn again for the next in the ranking, or lapses.
    on_unclaimed: Literal["redraw", "lapse"] = "redraw"
    claim_hours: Annotated[int, msgspec.Meta(ge=1, le=48)] = 48


class WinnerOut(Out):
    rank: int  # place in the seed's ranking (0 first)
    round: int  # 1 the draw, 2.. redraws
    token: str
    name: str  # masked
    status: str  # won | claimed | lapsed
    claim_deadline: datetime


class GiveawayOut(Out):
    id: int
    room_id: int
    title: str
    prize_kind: str
    prize_value: int  # fen per winner (the coupon's face value, the SKU's price)
    coupon_id: int | None
    sku_id: int | None
    # A product prize: what the room shows ("Tea · default") and its picture.
    prize_title: str | None
    prize_image: str | None
    winners_count: int
    keyword: str | None
    watch_minutes: int
    require_follow: bool
    on_unclaimed: str
    claim_hours: int
    status: str  # running | drawn | closed
    seed_hash: str
    seed: str | None  # hex, once drawn
    starts_at: datetime
    ends_at: datetime
    drawn_at: datetime | None
    entries: int
    winners: list[WinnerOut]
    now: datetime  # the server's clock: the countdown runs on it


class MyGiveaway(Out):
    """Where the viewer stands: each task, the entry, the prize."""

    giveaway_id: int
    commented: bool
    watched_seconds: int
    followed: bool
    banned: bool
    entered: bool
    token: str | None
    won: bool
    winner_status: str | None
    claim_deadline: datetime | None
    entries: int  # how many have entered so far
    order_id: int | None = None  # a product prize claimed: its zero-price order


class PublishedEntry(Out):
    token: str
    name: str
    entered_at: datetime


class PublishedEntries(Out):
    """Everything the draw used, for anyone to recompute it (livecommerce/tools/verify_giveaway)."""

    giveaway_id: int
    algorithm: str
    status: str
    seed_hash: str
    seed: str | None
    winners_count: int
    ends_at: datetime
    entries: list[PublishedEntry]
    winners: list[WinnerOut]


class ClaimGiveaway(In, frozen=True):
    """A product prize ships: `addressId` (your address book) or `address`, as for an order.
    A coupon or red packet prize needs no body."""

    address_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    address: Address | None = None


class ClaimOut(Out):
    giveaway_id: int
    status: str
    prize_kind: str
    amount: int | None  # fen into the wallet (red packet)
    user_coupon_id: int | None  # the copy in your coupons (coupon)
    order_id: int | None = None  # the zero-price order the host ships (product)
