"""Wire shapes of gifts and tips (camelCase JSON; money in fen)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from livecommerce.infra.schema import In, Out

GiftName = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
GiftNameEn = Annotated[str, msgspec.Meta(max_length=32)]
# A committed icon: /static/gifts/<name>.svg (gifts_catalogue.icons() lists them).
GiftIcon = Annotated[
    str, msgspec.Meta(max_length=120, pattern=r"^/static/gifts/[a-z0-9][a-z0-9-]{0,40}\.svg$")
]
GiftPrice = Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]  # fen, at most ¥100,000
SortOrder = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class GiftOut(Out):
    id: int
    name: str
    name_en: str
    icon: str
    price: int
    enabled: bool
    sort_order: int


class CreateGift(In, frozen=True):
    name: GiftName
    icon: GiftIcon
    price: GiftPrice
    name_en: GiftNameEn = ""
    enabled: bool = True
    sort_order: SortOrder = 0


class ChangeGift(In, frozen=True, omit_defaults=True):
    """Only the fields given change."""

    name: GiftName | msgspec.UnsetType = msgspec.UNSET
    name_en: GiftNameEn | msgspec.UnsetType = msgspec.UNSET
    icon: GiftIcon | msgspec.UnsetType = msgspec.UNSET
    price: GiftPrice | msgspec.UnsetType = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET
    sort_order: SortOrder | msgspec.UnsetType = msgspec.UNSET
    # Why (kept in the audit); a price change is money, so say why.
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class SendGift(In, frozen=True):
    gift_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=999)] = 1
    # The session the viewer is watching: a tip meant for a session that ended is not moved to
    # the next one (409 room_not_live / 400 room_mismatch).
    session_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None


class TipOut(Out):
    id: int
    room_id: int
    session_id: int
    gift_id: int
    gift_name: str
    quantity: int
    amount: int
    # What the sender has left: in the wallet, and under the session and day caps.
    balance: int
    session_left: int
    day_left: int
    created_at: datetime


class Tipper(Out):
    user_id: int
    name: str  # masked
    amount: int


class GiftCount(Out):
    gift_id: int
    name: str
    icon: str
    tips: int
    quantity: int
    amount: int


class SessionTips(Out):
    """A session's tips for its report: how many, how much, the host's share, the top gifts and
    tippers (masked)."""

    session_id: int
    tips: int
    tippers: int
    amount: int
    host_share: int
    fee: int
    top_gifts: list[GiftCount]
    top_tippers: list[Tipper]


class HostTips(Out):
    """A host's tip earnings (its share after the platform's fee): today and in all."""

    today_tips: int
    today_amount: int
    today_host_share: int
    total_tips: int
    total_amount: int
    total_host_share: int
