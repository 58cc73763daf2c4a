"""Repurchase and viewed-not-bought rules, pure: how a product's cycle is learned, when the
reminder is due, which 30-day bucket a coupon belongs to.

- A learned cycle is the median of the intervals between each buyer's consecutive paid
  purchases of the product (all buyers' intervals pooled), once at least `min_buyers` buyers
  bought it twice; in whole days (half a day rounds up), at least one.
- The reminder is due `cycle - lead` days after the last purchase, at least a day after it (a
  cycle shorter than the lead would remind at the till).
- A reminder whose day passed more than GRACE_DAYS ago is stale: the sweep no longer sends it.
"""

from __future__ import annotations

import math
from datetime import date

DAY_SECONDS = 86_400
GRACE_DAYS = 7
# Viewed, not bought: distinct days with a view, within this many days, and one coupon per
# (user, product) per as many days.
VIEW_DAYS = 3
VIEW_WINDOW_DAYS = 30
MAX_CYCLE_DAYS = 730


def days_of(median_seconds: float) -> int:
    """Whole days of an interval: half a day rounds up; never below one."""
    return max(1, math.floor(median_seconds / DAY_SECONDS + 0.5))


def learned_days(median_seconds: float | None, repeat_buyers: int, min_buyers: int) -> int | None:
    if median_seconds is None or repeat_buyers < min_buyers:
        return None
    return min(days_of(median_seconds), MAX_CYCLE_DAYS)


def effective(host_days: int | None, learned: int | None) -> tuple[int | None, str]:
    """The cycle in force and where it comes from: the host's word first."""
    if host_days is not None:
        return host_days, "host"
    if learned is not None:
        return learned, "learned"
    return None, "none"


def remind_after_days(cycle_days: int, lead_days: int) -> int:
    return max(cycle_days - lead_days, 1)


def bucket(day: date) -> int:
    """The 30-day bucket of a day (days since 1970-01-01, by 30)."""
    return (day - date(1970, 1, 1)).days // VIEW_WINDOW_DAYS
