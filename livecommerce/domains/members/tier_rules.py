"""Tier rules, pure: which tier a growth earns, the windows growth is summed over, their edges,
what "再消费 ¥X 升级 / 保级" means, and which price wins between a member price and a flash price.

A host's window is one of:
- `all`: all time. Growth never leaves it; only a refund lowers it.
- `days` (N): today and the N − 1 days before it, in the business time zone.
- `month`: this calendar month, in the business time zone.

Upgrades happen at once (the paid hook): the growth of the current window reaching a higher
threshold raises the tier. Downgrades happen only at an edge: the start of a month for `month`,
each local midnight for `days` and `all` (for `all` only a refund can lower the growth, and the
tier then drops at the next midnight, never at the refund itself). At edge E the member holds
the higher of what the window that just closed earned and what the new window earned so far, so
"保级" is: reach your tier's threshold in the window that closes at the next edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo

WindowKind = Literal["all", "days", "month"]
MAX_TIERS = 8
MAX_WINDOW_DAYS = 730


@dataclass(frozen=True, slots=True)
class Tier:
    code: str
    name: str
    threshold: int  # fen of window growth that earns the tier


@dataclass(frozen=True, slots=True)
class Window:
    kind: WindowKind
    days: int | None  # for `days` only
    timezone: str


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a member stands: the tier held, the next one and what reaching or keeping takes."""

    held: Tier | None
    next: Tier | None
    to_upgrade: int | None  # fen more in the current window to reach `next` (None: at the top)
    to_keep: int  # fen more before the next edge to keep `held` past it (0: kept already)


# --- the ladder ---------------------------------------------------------------------------------


def ladder_problems(tiers: Sequence[Tier]) -> list[str]:
    """What is wrong with a ladder a host wants to save (empty: nothing). Codes are unique,
    thresholds ascend strictly from a non-negative first one, at most MAX_TIERS tiers."""
    problems: list[str] = []
    if len(tiers) > MAX_TIERS:
        problems.append(f"at most {MAX_TIERS} tiers")
    codes = [t.code for t in tiers]
    if len(set(codes)) != len(codes):
        problems.append("tier codes must be unique")
    if any(t.threshold < 0 for t in tiers):
        problems.append("thresholds must not be negative")
    if any(b.threshold <= a.threshold for a, b in pairwise(tiers)):
        problems.append("thresholds must ascend strictly, lowest tier first")
    return problems


def tier_for(growth: int, tiers: Sequence[Tier]) -> Tier | None:
    """The highest tier whose threshold the growth reaches (tiers ascending); None below all."""
    earned = None
    for tier in tiers:
        if growth >= tier.threshold:
            earned = tier
    return earned


def rank(code: str | None, tiers: Sequence[Tier]) -> int:
    """A tier's place on the ladder, lowest 0; −1 for no tier or a code the ladder lost."""
    for i, tier in enumerate(tiers):
        if tier.code == code:
            return i
    return -1


def higher(a: Tier | None, b: Tier | None, tiers: Sequence[Tier]) -> Tier | None:
    """The higher of two tiers of the ladder (None is below every tier)."""
    ra = rank(a.code if a else None, tiers)
    rb = rank(b.code if b else None, tiers)
    return a if ra >= rb else b


def upgraded(held_code: str, growth: int, tiers: Sequence[Tier]) -> Tier | None:
    """On payment: the tier to raise the member to, or None when the growth earns nothing above
    the tier held (the paid hook never lowers a tier)."""
    earned = tier_for(growth, tiers)
    if earned is not None and rank(earned.code, tiers) > rank(held_code, tiers):
        return earned
    return None


def at_edge(growth_closed: int, growth_current: int, tiers: Sequence[Tier]) -> Tier | None:
    """At an edge: the higher of what the closed window earned and what the new one earned so far
    (a job run late still counts the payments made since the edge)."""
    return higher(tier_for(growth_closed, tiers), tier_for(growth_current, tiers), tiers)


def standing(held_code: str, growth_now: int, growth_kept: int, tiers: Sequence[Tier]) -> Standing:
    """`growth_now`: the current window's growth (what upgrades); `growth_kept`: the growth that
    will count in the window closing at the next edge (what keeps). A member without a stored
    tier holds what their growth earns."""
    held = next((t for t in tiers if t.code == held_code), None) or tier_for(growth_now, tiers)
    above = [t for t in tiers if rank(t.code, tiers) > rank(held.code if held else None, tiers)]
    upcoming = above[0] if above else None
    to_upgrade = max(0, upcoming.threshold - growth_now) if upcoming else None
    to_keep = max(0, held.threshold - growth_kept) if held else 0
    return Standing(held=held, next=upcoming, to_upgrade=to_upgrade, to_keep=to_keep)


# --- windows and edges --------------------------------------------------------------------------


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    first = _month_start(day)
    return (first + timedelta(days=32)).replace(day=1)


def _previous_month(day: date) -> date:
    return (_month_start(day) - timedelta(days=1)).replace(day=1)


def current_start(window: Window, now: datetime) -> datetime | None:
    """Where the window that counts now begins (None: all time). Upgrades use it."""
    zone = ZoneInfo(window.timezone)
    today = now.astimezone(zone).date()
    if window.kind == "month":
        return _midnight(_month_start(today), zone)
    if window.kind == "days":
        return _midnight(today - timedelta(days=(window.days or 1) - 1), zone)
    return None


def last_edge(window: Window, now: datetime) -> datetime:
    """The latest edge at or before `now`: this month's start, or today's local midnight."""
    zone = ZoneInfo(window.timezone)
    today = now.astimezone(zone).date()
    return _midnight(_month_start(today) if window.kind == "month" else today, zone)


def next_edge(window: Window, now: datetime) -> datetime:
    """The first edge after `now`: the next month's start, or the next local midnight."""
    zone = ZoneInfo(window.timezone)
    today = now.astimezone(zone).date()
    if window.kind == "month":
        return _midnight(_next_month(today), zone)
    return _midnight(today + timedelta(days=1), zone)


def closing_start(window: Window, edge: datetime) -> datetime | None:
    """Where the window that closes at `edge` began (None: all time)."""
    zone = ZoneInfo(window.timezone)
    day = edge.astimezone(zone).date()
    if window.kind == "month":
        return _midnight(_previous_month(day), zone)
    if window.kind == "days":
        return _midnight(day - timedelta(days=window.days or 1), zone)
    return None


# --- prices -------------------------------------------------------------------------------------


def lowest_price(list_price: int, member_price: int | None, flash_price: int | None) -> int:
    """The unit price a buyer pays: a member price and a flash-sale price never stack, the lower
    one wins, and neither raises the list price."""
    offers = [p for p in (member_price, flash_price) if p is not None and p >= 0]
    return min([list_price, *offers])
