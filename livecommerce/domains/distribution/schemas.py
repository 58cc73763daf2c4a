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
    # Orders attributed to this member (their buyers') paid this calendar month, in the business
    # time zone: how many, and fen paid net of refunds.
    orders_this_month: int = 0
    sales_this_month: int = 0


class TeamPage(Out):
    counts: dict[str, int]  # per level
    items: list[TeamMember]
    next_cursor: int | None = None
    levels: int = 3  # the levels commissions are paid on (the operator's setting)
    sales_this_month: dict[str, int] = msgspec.field(default_factory=dict)  # fen per level


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
    # When it is expected to reach the wallet (settle_dates.py): `settleRule` says on what it
    # waits; `settlesAt` is the date when one is known.
    settle_rule: str = ""
    settles_at: datetime | None = None
    order_status: str = ""
    received_at: datetime | None = None
    item_refunded: int = 0  # fen refunded on the item so far (what the reversal follows)


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
    decision_reason: str = ""  # an operator's reason for a rejection


class RejectWithdrawal(In, frozen=True):
    # Shown to the distributor with the withdrawal, kept as the audit's reason.
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class WithdrawalPage(Out):
    items: list[WithdrawalOut]
    next_cursor: int | None = None


# --- the distributor's workbench: product library, links with results, bound buyers -------


class LevelCommission(Out):
    level: int
    rate_bp: int
    # Fen earned at this level on the current price (a room: on the best of its showcase).
    amount: int


class LibraryLink(Out):
    id: int
    code: str
    url: str


class LibraryItem(Out):
    kind: Literal["product", "room"]
    id: int
    title: str
    host_id: int
    host_name: str
    image_url: str | None
    thumb_url: str | None
    # Level 1 is what you earn when your buyer orders; level 2 what you earn when your
    # recruit's buyer does (and what your recruiter earns on yours), and so on.
    commissions: list[LevelCommission]
    my_amount: int  # level 1, in fen
    link: LibraryLink | None = None  # your link to it, once made (reused, never duplicated)
    # a product
    price: int | None = None  # fen, the cheapest SKU
    max_price: int | None = None
    stock: int | None = None
    stock_state: Literal["in_stock", "low", "sold_out"] | None = None
    rates_overridden: bool = False  # the host set this product's own rates
    updated_at: datetime | None = None
    # a room
    status: Literal["live", "upcoming"] | None = None
    starts_at: datetime | None = None
    products: int | None = None  # its showcase products on shelf


class LibraryPage(Out):
    items: list[LibraryItem]
    total: int
    next_offset: int | None
    levels: int


class EnsureLink(In, frozen=True):
    room_id: Annotated[int, msgspec.Meta(ge=1)] | None = None
    product_id: Annotated[int, msgspec.Meta(ge=1)] | None = None

    def __post_init__(self) -> None:
        if (self.room_id is None) == (self.product_id is None):
            raise ValueError("give exactly one of roomId or productId")


class LinkStats(Out):
    id: int
    code: str
    url: str
    qr_svg_url: str
    target: str
    room_id: int | None
    product_id: int | None
    title: str  # the room's or the product's, now
    clicks: int
    bound_buyers: int  # buyers bound through this link
    orders: int  # paid orders attributed to it
    sales: int  # fen paid on them, net of refunds
    created_at: datetime


class LinkStatsPage(Out):
    items: list[LinkStats]
    next_cursor: int | None = None


class BoundBuyer(Out):
    binding_id: int
    name: str  # masked: "张**"
    bound_at: datetime
    expires_at: datetime | None
    source: str  # click | order | register
    orders: int  # paid orders of theirs attributed to you


class BoundBuyerPage(Out):
    count: int
    items: list[BoundBuyer]
    next_cursor: int | None = None
