from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.infra.schema import In, Out


class BecomeDistributor(In, frozen=True):
    # The recruiting distributor's code; omitted: the distributor the user is bound to, if any.
    parent_code: Annotated[str, msgspec.Meta(min_length=4, max_length=16)] | None = None
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class SetParent(In, frozen=True):
    parent_code: Annotated[str, msgspec.Meta(min_length=4, max_length=16)] | None = None


class DistributorOut(Out):
    user_id: int
    code: str
    parent_id: int | None
    parent_code: str | None
    status: Literal["active", "pending"]
    created_at: datetime
    # Present when the role was granted at once: a fresh token carrying it.
    token: str | None = None


class DistributorStats(Out):
    profile: DistributorOut
    clicks: int
    bound_buyers: int
    orders: int
    pending: int  # fen: commissions of orders not completed yet (and completed, awaiting the batch)
    settled: int  # fen paid into the wallet, net of reversals
    withdrawn: int  # fen paid out
    held: int  # fen held by pending withdrawals
    available: int  # the wallet balance
    debt: int  # clawed-back fen still to recover from future commissions


class TeamMember(Out):
    user_id: int
    name: str
    code: str
    level: int
    status: Literal["active", "pending"]
    joined_at: datetime


class TeamPage(Out):
    counts: dict[str, int]  # per level
    items: list[TeamMember]
    next_cursor: int | None = None


class CommissionOut(Out):
    id: int
    order_id: int
    order_item_id: int
    item_title: str
    buyer: str  # masked: "张**"
    level: int
    rate_bp: int
    base_amount: int
    amount: int
    reversed_amount: int
    net_amount: int
    status: str
    reversal_reason: str
    created_at: datetime
    settled_at: datetime | None


class CommissionPage(Out):
    items: list[CommissionOut]
    next_cursor: int | None = None


class CreateShareLink(In, frozen=True):
    room_id: Annotated[int, msgspec.Meta(ge=1)] | None = None
    product_id: Annotated[int, msgspec.Meta(ge=1)] | None = None

    def __post_init__(self) -> None:
        if (self.room_id is None) == (self.product_id is None):
            raise ValueError("give exactly one of roomId or productId")


class ShareLinkOut(Out):
    id: int
    code: str
    target: str
    room_id: int | None
    product_id: int | None
    url: str
    qr_svg_url: str
    clicks: int
    created_at: datetime


class ShareLinkPage(Out):
    items: list[ShareLinkOut]
    next_cursor: int | None = None


class CommissionRates(In, frozen=True):
    # Basis points per level (level 1 first); null: back to the platform's rates.
    rates_bp: (
        Annotated[
            list[Annotated[int, msgspec.Meta(ge=0, le=10_000)]],
            msgspec.Meta(min_length=1, max_length=3),
        ]
        | None
    )


class CommissionRatesOut(Out):
    product_id: int
    rates_bp: list[int] | None
    effective_bp: list[int]


class RequestWithdrawal(In, frozen=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=100_000_000)]
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class WithdrawalOut(Out):
    id: int
    user_id: int
    amount: int
    fee: int
    payout: int  # amount - fee
    status: str
    provider_ref: str | None
    created_at: datetime
    decided_at: datetime | None


class WithdrawalPage(Out):
    items: list[WithdrawalOut]
    next_cursor: int | None = None
