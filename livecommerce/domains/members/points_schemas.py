"""The wire format of points: a member's points with a host, their history, the host's rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from livecommerce.infra.schema import In, Out


class Thawing(Out):
    order_id: int
    points: int  # still frozen
    thaw_at: datetime


class PointsSettingsOut(Out):
    # Points per fen earned, in basis points of the amount kept (100: 1 point per ¥1).
    earn_bp: int
    # Days earned points stay frozen after the order completes.
    frozen_days: int
    # How many points buy ¥1 at checkout.
    points_per_yuan: int
    # The most points may take off an order, in basis points of what is still due.
    cap_bp: int


class PointsSettingsIn(In, frozen=True):
    """The host's points rules; a field left out keeps its value. They apply to orders completed
    (earning) or placed (spending) from now on."""

    earn_bp: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | None = None
    frozen_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | None = None
    points_per_yuan: Annotated[int, msgspec.Meta(ge=1, le=100_000)] | None = None
    cap_bp: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | None = None


class PointsOffer(Out):
    """What points can do for an order still due `amount` fen: spend `points`, take `discount`."""

    amount: int
    points: int
    discount: int


class MyPointsOut(Out):
    host_id: int
    available: int
    frozen: int
    settings: PointsSettingsOut
    # The frozen points per order, soonest to thaw first.
    thawing: list[Thawing]
    # With `amount`: the best use of the available points on that order (the buy sheet's toggle).
    offer: PointsOffer | None = None


class HostPointsOut(Out):
    host_id: int
    host_name: str
    available: int
    frozen: int


class PointsEntryOut(Out):
    id: int
    # available | frozen: which of the member's two balances moved.
    account: str
    amount: int
    balance_after: int | None
    # earn | thaw | spend | return | refund
    reason: str
    order_id: int | None
    created_at: datetime


class PointsEntryPage(Out):
    items: list[PointsEntryOut]
    next_cursor: int | None = None
