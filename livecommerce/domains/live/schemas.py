from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.infra.schema import In, Out

RoomTitle = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
# What a room shows: never broadcast and nothing scheduled (none, 未开播), a session scheduled
# (upcoming, 即将开播), on air (live, 直播中), its last session over (ended, 已结束).
RoomStatus = Literal["none", "upcoming", "live", "ended"]
# A stream: http(s) from the media server, or a bundled one; empty: none. One pattern, not
# `Url | Literal[""]`: msgspec takes one string type in a union, so "" was refused.
UrlOrEmpty = Annotated[str, msgspec.Meta(max_length=500, pattern=r"^$|^(https?://|/static/)\S+$")]
# A picture: an https one a host links to, one of ours (`/media/…`, from POST /api/uploads/images)
# or a bundled one (`/static/…`); empty: none (a session then shows its room's).
ImageUrlOrEmpty = Annotated[
    str, msgspec.Meta(max_length=500, pattern=r"^$|^(https?://|/static/|/media/)\S+$")
]
# A start time with its zone (a browser's toISOString() has one): never guessed.
StartTime = Annotated[datetime, msgspec.Meta(tz=True)]


class CreateRoom(In, frozen=True):
    title: RoomTitle
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    cover_url: ImageUrlOrEmpty = ""


class UpdateRoom(In, frozen=True):
    title: RoomTitle | None = None
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    cover_url: ImageUrlOrEmpty | None = None


class ScheduleSession(In, frozen=True):
    """Announce a broadcast: the room counts down to `scheduledAt` (from 5 minutes ago to a
    year ahead) under its `coverUrl`."""

    title: RoomTitle
    scheduled_at: StartTime
    hls_url: UrlOrEmpty = ""
    cover_url: ImageUrlOrEmpty = ""


class UpdateSession(In, frozen=True):
    """Change a scheduled session (a live or ended one is 409 `session_not_scheduled`)."""

    title: RoomTitle | None = None
    scheduled_at: StartTime | None = None
    hls_url: UrlOrEmpty | None = None
    cover_url: ImageUrlOrEmpty | None = None


class StartSession(In, frozen=True):
    """Go live: the next scheduled session of the room, or a new one."""

    title: RoomTitle | None = None
    hls_url: UrlOrEmpty | None = None
    cover_url: ImageUrlOrEmpty | None = None


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
    # instead of userId: the account's login name (appointing a moderator one knows)
    username: Annotated[str, msgspec.Meta(max_length=64)] | None = None
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
    cover_url: str  # empty: the room's cover


class SessionReport(SessionOut):
    peak_online: int
    unique_viewers: int
    views: int
    likes: int
    comments: int
    orders: int
    gmv: int
    product_clicks: int = 0  # product cards opened in the room
    product_visitors: int = 0  # viewers who opened at least one
    reminders: int = 0  # viewers who asked to be reminded of it (开播提醒)


class ReminderOut(Out):
    session_id: int
    count: int  # viewers who asked to be reminded
    reminded: bool  # you did


class ShowcaseProduct(Out):
    id: int
    title: str
    image: str
    min_price: int
    stock: int
    on_shelf: bool
    position: int
    # The picture's thumbnail (the bag's list); "" without a picture, like `image`.
    thumb_url: str = ""


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
    status: RoomStatus = "none"
    starts_at: datetime | None = None  # the scheduled start of an upcoming room


class RoomDetail(RoomOut):
    showcase: list[ShowcaseProduct] = []
    moderators: list[int] = []
    followers: int = 0  # viewers who follow the room (关注)
    # The server's clock when this was read: a countdown runs on it, not on the phone's clock.
    now: datetime | None = None


class RoomPage(Out):
    items: list[RoomOut]
    next_cursor: int | None = None
    now: datetime | None = None  # the server's clock (see RoomDetail.now)


class Counters(Out):
    """A session's counters (the room socket's `counters` use the same names)."""

    online: int = 0  # viewers connected now
    peak: int = 0  # most viewers connected at once
    unique_viewers: int = 0  # distinct users and guests who joined
    views: int = 0  # arrivals (a second tab of the same viewer is not one)
    likes: int = 0
    comments: int = 0
    orders: int = 0  # paid orders of the session (PostgreSQL's count)
    gmv: int = 0  # fen paid on them, less refunds
    product_clicks: int = 0  # product cards opened in the room
    product_visitors: int = 0  # viewers who opened at least one


class StatsOut(Out):
    room_id: int
    session: SessionOut | None
    counters: Counters
    conversion_bp: int  # paid orders per unique viewer, in basis points


class ChatLine(Out):
    id: str
    user_id: int
    name: str  # the author's display name, as the room saw it
    text: str
    ts: float  # epoch seconds
    priority: bool = False  # the host or a moderator


class SessionOrder(Out):
    """An order of the session in the console's feed (the buyer's name masked)."""

    id: int
    buyer: str
    product: str  # the first item's title
    quantity: int  # of the first item
    items: int
    pay_amount: int
    status: str
    created_at: datetime
    paid_at: datetime | None


class Series(Out):
    """The session's counters over time, one column per counter (what uPlot draws): `t` in epoch
    seconds, every 10 s while the session is live."""

    t: list[int]
    online: list[int]
    unique_viewers: list[int]
    likes: list[int]
    comments: list[int]
    orders: list[int]
    gmv: list[int]


class Funnel(Out):
    """People at each step: viewers -> opened a product -> placed an order -> paid; with the
    counts of actions beside them."""

    viewers: int
    product_visitors: int
    buyers: int
    payers: int
    product_clicks: int
    orders_placed: int
    orders_paid: int


class TopProduct(Out):
    product_id: int
    title: str
    image: str
    views: int  # opens of its card in the room
    orders: int  # paid orders with it
    quantity: int
    paid_amount: int  # fen paid on it, less refunds


class DistributorFigures(Out):
    """Paid orders of the session a distributor brought (the first link of the snapshotted
    chain), and what the session's orders earn distributors through that chain."""

    distributor_id: int
    name: str
    orders: int
    gmv: int
    commission: int


class SessionAnalysis(Out):
    """The session report page: figures, funnel, curves, top products and distributors."""

    session: SessionReport
    room_id: int
    room_title: str
    duration_seconds: int
    conversion_bp: int  # paid orders per unique viewer, as on the console
    average_order_value: int  # fen
    funnel: Funnel
    series: Series
    top_products: list[TopProduct]
    by_distributor: list[DistributorFigures]
    # Paid orders of the session that no distributor brought, and their GMV.
    direct_orders: int
    direct_gmv: int


class ModerationOut(Out):
    action: str
    user_id: int | None = None
    until: datetime | None = None
    slow_mode_seconds: int | None = None
    message_id: str | None = None


class ModeratorOut(Out):
    user_id: int
    name: str  # display name
    since: datetime


class PenaltyOut(Out):
    """A mute or ban in force: the longest one if there are several."""

    user_id: int
    name: str  # display name
    kind: Literal["mute", "ban"]
    until: datetime | None  # null: until lifted
    reason: str
    by_id: int
    by_name: str
    created_at: datetime


class ModerationState(Out):
    """Who moderates the room and who is muted or banned now (host, moderators, admins)."""

    room_id: int
    slow_mode_seconds: int
    moderators: list[ModeratorOut]
    muted: list[PenaltyOut]
    banned: list[PenaltyOut]
