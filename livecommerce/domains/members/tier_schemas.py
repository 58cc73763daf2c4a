"""Tier and benefit bodies (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.infra.schema import In, Out

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=16, pattern=r"^[a-z0-9_]+$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
Fen = Annotated[int, msgspec.Meta(ge=0, le=10**12)]


class TierIn(In, frozen=True):
    code: Code  # stable: members hold it and benefits name it
    name: Name  # 普通 / 银卡 / 金卡 / 黑金
    threshold: Fen  # window growth that earns it


class LadderIn(In, frozen=True):
    window: Literal["all", "days", "month"]
    tiers: Annotated[list[TierIn], msgspec.Meta(max_length=8)]
    days: Annotated[int, msgspec.Meta(ge=1, le=730)] | None = None  # window `days` only


class TierOut(Out):
    code: str
    name: str
    threshold: int


class LadderOut(Out):
    window: str
    days: int | None
    timezone: str
    tiers: list[TierOut]


class MemberPriceIn(In, frozen=True):
    sku_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    price: Fen


class BenefitIn(In, frozen=True):
    tier_code: Code
    kind: Literal["voucher", "red_packet", "member_price"]
    enabled: bool = True
    # voucher: a coupon template of yours with no threshold, not dropped into a room.
    coupon_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None
    # red_packet: fen per member on each member day, and the day as a rule.
    amount: Annotated[int, msgspec.Meta(ge=1, le=10**8)] | None = None
    rule: Annotated[str, msgspec.Meta(min_length=1, max_length=120)] | None = None
    # member_price: the price of each chosen SKU for this tier.
    prices: Annotated[list[MemberPriceIn], msgspec.Meta(max_length=200)] = []


class BenefitsIn(In, frozen=True):
    benefits: Annotated[list[BenefitIn], msgspec.Meta(max_length=24)]


class MemberPriceOut(Out):
    sku_id: int
    price: int


class BenefitOut(Out):
    id: int
    tier_code: str
    kind: str
    enabled: bool
    coupon_id: int | None
    amount: int | None
    rule: str | None
    prices: list[MemberPriceOut]


class BenefitsOut(Out):
    benefits: list[BenefitOut]


class MembershipOut(Out):
    """A member's standing with one host, as the member card shows it."""

    host_id: int
    host_name: str
    member: bool  # has paid this host at least once
    window: str  # all | days | month | none (the host has no tiers)
    days: int | None
    tier: TierOut | None
    next_tier: TierOut | None
    window_growth: int  # fen counted in the current window
    lifetime_spend: int
    to_upgrade: int | None  # 再消费 ¥X 升级 (None: top tier, or no tiers)
    to_keep: int  # 再消费 ¥X 保级 before keepBy (0: kept)
    keep_by: datetime | None  # the window's next edge
    tiers: list[TierOut]
    benefits: list[BenefitOut]  # of the tier held
    sealed_packets: int  # member-day red packets waiting to be opened
    sealed_amount: int


class MembershipList(Out):
    items: list[MembershipOut]


class OpenedPackets(Out):
    opened: int
    amount: int
