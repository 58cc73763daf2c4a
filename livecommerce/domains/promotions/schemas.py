from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.infra.schema import In, Out

Fen = Annotated[int, msgspec.Meta(ge=1, le=10**10)]


class CreateCoupon(In, frozen=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
    # amount_off: `amountOff` fen off once the eligible items reach `minSpend` (满减; minSpend 0:
    # no threshold).
    # percent_off: `percentOffBp` basis points off (1500 = 15 % off), at most `maxDiscount` fen.
    kind: Literal["amount_off", "percent_off"]
    quota: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]
    amount_off: Fen | None = None
    percent_off_bp: Annotated[int, msgspec.Meta(ge=1, le=9_999)] | None = None
    max_discount: Fen | None = None
    min_spend: Annotated[int, msgspec.Meta(ge=0, le=10**10)] = 0
    # Validity: `validTo` (and optionally `validFrom`), or `validMinutes` after claiming.
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    valid_minutes: Annotated[int, msgspec.Meta(ge=1, le=525_600)] | None = None
    per_user_limit: Annotated[int, msgspec.Meta(ge=1, le=100)] = 1
    per_user_daily_limit: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None
    # Empty: every product of the host; else only these (they must be the host's).
    product_ids: Annotated[list[int], msgspec.Meta(max_length=200)] = []
    # Claimable only while a session of the room is live.
    live_only: bool = False
    # Drop it into the live room at once (else later with POST /api/coupons/{id}/drop).
    drop: bool = False


class CouponOut(Out):
    id: int
    room_id: int
    host_id: int
    title: str
    kind: str
    amount_off: int
    percent_off_bp: int
    max_discount: int | None
    min_spend: int
    valid_from: datetime | None
    valid_to: datetime | None
    valid_minutes: int | None
    quota: int
    issued: int
    per_user_limit: int
    per_user_daily_limit: int | None
    product_ids: list[int]
    live_only: bool
    dropped_at: datetime | None
    created_at: datetime


class UserCouponOut(Out):
    """A claimed copy of a coupon, the buyer's own. Its `id` is what an order or a quote takes
    as `userCouponId`; `couponId` is the coupon it is a copy of (shared by every claimer)."""

    id: int
    coupon_id: int
    status: str  # available | held | used | expired (available, past its validity)
    order_id: int | None
    valid_from: datetime
    valid_until: datetime
    claimed_at: datetime
    used_at: datetime | None
    coupon: CouponOut


class UserCouponPage(Out):
    items: list[UserCouponOut]
    next_cursor: int | None = None


class SendRedPacket(In, frozen=True):
    total_amount: Fen
    count: Annotated[int, msgspec.Meta(ge=1, le=10_000)]
    split: Literal["lucky", "equal"] = "lucky"
    greeting: Annotated[str, msgspec.Meta(max_length=60)] = ""
    expires_in_minutes: Annotated[int, msgspec.Meta(ge=1, le=7 * 1440)] = 1440
    # Only viewers who joined the room (its websocket) may grab; with minWatchSeconds, only
    # those who joined at least that long ago.
    require_presence: bool = False
    min_watch_seconds: Annotated[int, msgspec.Meta(ge=0, le=86_400)] = 0


class RedPacketClaim(Out):
    user_id: int
    display_name: str
    amount: int
    grabbed_at: datetime


class RedPacketOut(Out):
    id: int
    room_id: int
    host_id: int
    session_id: int | None
    greeting: str
    split: str
    total_amount: int
    count: int
    claimed_count: int
    claimed_amount: int
    status: str
    require_presence: bool
    min_watch_seconds: int
    expires_at: datetime
    refunded_amount: int | None
    created_at: datetime
    claims: list[RedPacketClaim] = []
    # 手气最佳: shown once every part is grabbed or the packet expired.
    best_luck: RedPacketClaim | None = None


class GrabOut(Out):
    red_packet_id: int
    outcome: Literal["won", "empty"]
    amount: int = 0
    # True when this user had grabbed this packet before: the same part, reported again.
    again: bool = False


# --- the host's lists ------------------------------------------------------------------------

CouponState = Literal["draft", "live", "sold_out", "expired"]
RedPacketState = Literal["active", "finished", "expired"]


class HostCouponOut(CouponOut):
    """A coupon in its host's list: where it stands and how many copies went."""

    room_title: str
    # draft: not dropped yet; live: dropped and claimable; sold_out: quota claimed; expired:
    # past validTo.
    state: CouponState
    claimed: int  # copies claimed (`issued`), of `quota`
    used: int  # copies spent on paid orders


class HostCouponPage(Out):
    items: list[HostCouponOut]
    next_cursor: int | None = None


class HostRedPacketOut(Out):
    id: int
    room_id: int
    room_title: str
    session_id: int | None
    greeting: str
    split: str
    total_amount: int
    count: int
    claimed_count: int  # parts grabbed so far
    claimed_amount: int
    # active: parts left to grab; finished: all grabbed; expired: past its expiry (what was left
    # goes back to the host).
    state: RedPacketState
    refunded_amount: int | None
    expires_at: datetime
    created_at: datetime


class HostRedPacketPage(Out):
    items: list[HostRedPacketOut]
    next_cursor: int | None = None
