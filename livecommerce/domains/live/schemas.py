from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.infra.schema import In, Out

RoomTitle = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
Url = Annotated[str, msgspec.Meta(max_length=500, pattern=r"^(https?://|/static/)\S+$")]


class CreateRoom(In, frozen=True):
    title: RoomTitle
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    cover_url: Url | Literal[""] = ""


class UpdateRoom(In, frozen=True):
    title: RoomTitle | None = None
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    cover_url: Url | Literal[""] | None = None


class ScheduleSession(In, frozen=True):
    title: RoomTitle
    scheduled_at: datetime
    hls_url: Url | Literal[""] = ""


class StartSession(In, frozen=True):
    """Go live: the next scheduled session of the room, or a new one."""

    title: RoomTitle | None = None
    hls_url: Url | Literal[""] | None = None


class SetShowcase(In, frozen=True):
    product_ids: Annotated[list[int], msgspec.Meta(max_length=200)]


class Pin(In, frozen=True):
    product_id: int | None  # null unpins


Action = Literal[
    "mute",
    "unmute",
    "ban",
    "unban",
    "slow_mode",
    "delete_message",
    "add_moderator",
    "remove_moderator",
]


class Moderate(In, frozen=True):
    action: Action
    user_id: int | None = None
    # mute/ban: minutes; absent means until lifted.
    minutes: Annotated[int, msgspec.Meta(ge=1, le=525_600)] | None = None
    # slow_mode: seconds between two messages of a viewer; 0 turns it off.
    seconds: Annotated[int, msgspec.Meta(ge=0, le=3600)] | None = None
    message_id: Annotated[str, msgspec.Meta(max_length=80)] | None = None
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class SessionOut(Out):
    id: int
    room_id: int
    title: str
    status: str
    scheduled_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    hls_url: str


class SessionReport(SessionOut):
    peak_online: int
    unique_viewers: int
    views: int
    likes: int
    comments: int
    orders: int
    gmv: int


class ShowcaseProduct(Out):
    id: int
    title: str
    image: str
    min_price: int
    stock: int
    on_shelf: bool
    position: int


class RoomOut(Out):
    id: int
    host_id: int
    host_name: str
    title: str
    description: str
    cover_url: str
    slow_mode_seconds: int
    pinned_product_id: int | None
    created_at: datetime
    session: SessionOut | None  # live now, else the next scheduled, else the last one
    online: int = 0


class RoomDetail(RoomOut):
    showcase: list[ShowcaseProduct] = []
    moderators: list[int] = []


class RoomPage(Out):
    items: list[RoomOut]
    next_cursor: int | None = None


class StatsOut(Out):
    room_id: int
    session: SessionOut | None
    counters: dict[str, int]
    conversion_bp: int  # paid orders per unique viewer, in basis points


class ModerationOut(Out):
    action: str
    user_id: int | None = None
    until: datetime | None = None
    slow_mode_seconds: int | None = None
    message_id: str | None = None
