"""Wire shapes of the hosts' CRM: staff, tags, notes, follow-up, the member list and the 360."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from livecommerce.domains.accounts.schemas import DisplayName, Password, Username
from livecommerce.domains.members.points import PointsBalance
from livecommerce.infra.schema import In, Out

INT4_MAX = 2**31 - 1
Id = Annotated[int, msgspec.Meta(ge=1, le=INT4_MAX)]

# -- staff


class AddStaff(In, frozen=True):
    """With `password`: a new account is made (`username` must be free). Without: the existing
    account `username` is added (it must not be a host, an admin or anyone's staff)."""

    username: Username
    password: Password | None = None
    display_name: DisplayName | None = None


class StaffOut(Out):
    user_id: int
    username: str
    display_name: str
    added_at: datetime
    created: bool = False  # the account was made by this request


# -- tags

TagName = Annotated[str, msgspec.Meta(min_length=1, max_length=24, pattern=r"\S")]
Colour = Annotated[str, msgspec.Meta(max_length=7, pattern=r"^#[0-9a-fA-F]{6}$")]


class TagDefIn(In, frozen=True):
    name: TagName
    colour: Colour = "#888888"


class TagDefOut(Out):
    id: int
    name: str
    colour: str
    members: int = 0


class RuleTagCount(Out):
    code: str
    members: int


class TagsOut(Out):
    manual: list[TagDefOut]
    # Rule tags that hold now, by code (`rfm:vip`, `viewed:p:12`), with how many carry each.
    rules: list[RuleTagCount]


class AddMemberTag(In, frozen=True):
    tag_id: Id


class MemberTagOut(Out):
    code: str
    kind: Literal["rule", "manual"]
    # A manual tag's name and colour (a rule tag's label comes from its code and evidence).
    name: str
    colour: str
    evidence: dict[str, Any]
    expires_at: datetime | None
    computed_at: datetime
    tag_id: int | None = None
    added_by: str | None = None


# -- notes and follow-up

FollowUpStatus = Literal["todo", "in_progress", "won", "lost"]  # 待跟进 跟进中 已成交 已流失


class NoteIn(In, frozen=True):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]


class NoteOut(Out):
    id: int
    body: str
    author_id: int | None
    author_name: str | None
    created_at: datetime


class SetFollowUp(In, frozen=True):
    status: FollowUpStatus


class FollowUpChangeOut(Out):
    from_status: str
    to_status: str
    actor_id: int | None
    actor_name: str | None
    at: datetime


class FollowUpOut(Out):
    status: str
    updated_at: datetime | None
    updated_by: str | None
    history: list[FollowUpChangeOut]


# -- the member list


class TagChip(Out):
    code: str
    kind: str
    name: str
    colour: str
    evidence: dict[str, Any]


class MemberRow(Out):
    user_id: int
    username: str
    display_name: str
    tier_code: str
    tier_name: str  # the host's name for the tier ('' before tiers are set up)
    lifetime_spend: int
    paid_orders: int
    last_paid_at: datetime | None
    follow_up: str
    tags: list[TagChip]


class MemberPage(Out):
    items: list[MemberRow]
    total: int
    offset: int
    limit: int


# -- the customer 360


class MemberFigures(Out):
    is_member: bool  # has paid an order with this host
    tier_code: str
    tier_name: str  # the host's name for it (member_tiers); '' before the host sets tiers up
    tier_changed_at: datetime | None
    lifetime_spend: int
    paid_orders: int
    average_order_value: int  # lifetime_spend / paid_orders, fen (0 without orders)
    first_paid_at: datetime | None
    last_paid_at: datetime | None
    member_since: datetime | None


class GrowthLine(Out):
    order_id: int
    amount: int
    at: datetime


class OrderLine(Out):
    id: int
    status: str
    pay_amount: int
    refunded_amount: int
    items: int
    title: str  # the first item's, for the list
    room_id: int | None
    created_at: datetime
    paid_at: datetime | None


class RoomWatched(Out):
    room_id: int
    title: str
    visits: int
    watch_seconds: int
    last_at: datetime


class ProductViewed(Out):
    product_id: int
    title: str
    views: int
    days: int
    last_at: datetime
    bought: bool


class CouponLine(Out):
    user_coupon_id: int
    title: str
    status: str
    claimed_at: datetime
    used_at: datetime | None
    order_id: int | None


class CouponsOut(Out):
    held: int  # available, not yet used
    used: int
    items: list[CouponLine]


class ChainLink(Out):
    level: int
    user_id: int
    name: str


class DistributorOut(Out):
    # The buyer's binding now (platform-wide: who brought them), and the chain snapshotted on
    # their latest attributed order with this host.
    bound_to: ChainLink | None
    bound_since: datetime | None
    bound_until: datetime | None
    last_order_id: int | None
    last_order_chain: list[ChainLink]


class Customer360(Out):
    user_id: int
    username: str
    display_name: str
    joined_at: datetime
    member: MemberFigures
    growth: list[GrowthLine]
    orders: list[OrderLine]
    rooms: list[RoomWatched]
    watch_seconds: int
    products_viewed: list[ProductViewed]
    coupons: CouponsOut
    points: PointsBalance
    distributor: DistributorOut
    tags: list[MemberTagOut]
    notes: list[NoteOut]
    follow_up: FollowUpOut
