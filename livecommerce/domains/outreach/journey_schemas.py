"""Journey settings and repurchase cycle bodies (camelCase on the wire)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from livecommerce.infra.schema import In, Out

# The journeys a host switches (a broadcast is sent by hand, not switched).
Journey = Literal["reminder", "repurchase", "viewed_not_bought", "member_day", "tier_change"]
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class JourneyIn(In, frozen=True):
    journey: Journey
    enabled: bool
    # viewed_not_bought: the coupon template (yours) each viewer gets a copy of.
    coupon_id: Id | None = None


class JourneysIn(In, frozen=True):
    journeys: Annotated[list[JourneyIn], msgspec.Meta(max_length=5)]


class JourneyOut(Out):
    journey: str
    enabled: bool
    coupon_id: int | None


class JourneysOut(Out):
    journeys: list[JourneyOut]


class CycleIn(In, frozen=True):
    # Days between purchases; null: none of yours, the learned cycle (if any) applies.
    cycle_days: Annotated[int, msgspec.Meta(ge=1, le=730)] | None


class CycleOut(Out):
    product_id: int
    cycle_days: int | None  # the host's
    learned_days: int | None  # from repeat buyers (once enough of them)
    repeat_buyers: int
    effective_days: int | None  # what reminders use
    source: str  # host | learned | none
    lead_days: int  # the reminder comes this many days before the cycle ends
    min_repeat_buyers: int
