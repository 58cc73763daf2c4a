"""Wire formats of the analytics domain: the beacon's batch, funnels, the decomposition."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.domains.analytics.events import BeaconKind, EventKind
from livecommerce.infra.schema import In, Out

Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
StepKind = EventKind  # a funnel step is any kind of event
# Where the viewer came from, as the page knows it (a share link's `?ch=`, the app's own entry).
Channel = Literal["direct", "link", "poster", "qr", "wechat", "moments", "search", "push", "other"]
MAX_EVENTS = 50


class BeaconEvent(In, frozen=True):
    kind: BeaconKind
    room_id: Id | None = None
    product_id: Id | None = None
    channel: Channel | None = None
    # How long ago it happened, as the page batches (at most 10 minutes): the server's clock
    # decides the time, the page only says how stale the event is.
    age_ms: Annotated[int, msgspec.Meta(ge=0, le=600_000)] = 0


class BeaconBatch(In, frozen=True):
    events: Annotated[list[BeaconEvent], msgspec.Meta(min_length=1, max_length=MAX_EVENTS)]


class BeaconAccepted(Out):
    accepted: int


class FunnelStep(Out):
    kind: str
    viewers: int
    # Of the first step's viewers, and of the previous step's (1 for the first step).
    of_first: float
    of_previous: float


class FunnelOut(Out):
    steps: list[FunnelStep]
    since: datetime
    until: datetime
    window_hours: int


class Factors(Out):
    visitors: int
    buyers: int
    sales: int  # fen
    conversion: float
    value_per_buyer: float  # fen


class Changes(Out):
    """Relative change against the previous session (0.25 = +25 %); null without one."""

    visitors: float | None
    conversion: float | None
    value_per_buyer: float | None
    sales: float | None


class Contributions(Out):
    """Fen of the change in sales each factor explains (they add up to the change)."""

    visitors: float
    conversion: float
    value_per_buyer: float


class SessionRef(Out):
    id: int
    room_id: int
    title: str
    started_at: datetime | None


class DecompositionOut(Out):
    session: SessionRef
    current: Factors
    previous_session: SessionRef | None
    previous: Factors | None
    changes: Changes
    contributions: Contributions | None


class DailyFigures(Out):
    day: date
    visitors: int
    buyers: int
    sales: int
    conversion: float
    value_per_buyer: float


class DailyOut(Out):
    days: list[DailyFigures]


class FilterChoice(Out):
    id: int
    title: str


class SessionChoice(Out):
    id: int
    title: str
    room_id: int
    status: str
    started_at: datetime | None


class FilterOptions(Out):
    """What the host's funnels can be narrowed to, newest first (at most 200 of each)."""

    rooms: list[FilterChoice]
    sessions: list[SessionChoice]
    products: list[FilterChoice]
    distributors: list[FilterChoice]  # who sold for the host, the most first
