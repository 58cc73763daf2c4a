"""Benefit periods, pure: the period a grant belongs to, which makes "once per (member, benefit,
period)" a unique key.

- A monthly voucher's period is the calendar month in the business time zone: `2026-12`.
- A member day is a day of the month or of the week, written as an RFC 5545 rule
  (`FREQ=MONTHLY;BYMONTHDAY=8`, `FREQ=WEEKLY;BYDAY=WE`); its period is the day: `2026-12-08`.
  The grant job grants the latest member day up to GRACE_DAYS ago, so a run that is a day late
  still grants a missed member day, once, and never the one before it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

GRACE_DAYS = 1
_ANCHOR = datetime(2000, 1, 1)  # noqa: DTZ001 - a rule's start: its local dates only are used
# Exactly one day: a day of the month (1..31) or of the week. Nothing else, so every rule has a
# day in every month or week (31: the months that have one) and reading one costs little.
_RULE = re.compile(
    r"^FREQ=(?:MONTHLY;BYMONTHDAY=(?:[1-9]|[12]\d|3[01])|WEEKLY;BYDAY=(?:MO|TU|WE|TH|FR|SA|SU))$"
)


def month_period(now: datetime, timezone: str) -> str:
    return now.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")


def normal_rule(rule: str) -> str:
    return rule.strip().upper().removeprefix("RRULE:")


def parse_member_day(rule: str, start: datetime = _ANCHOR) -> rrule:
    """The rule as dateutil reads it; ValueError (with words for the host) when it is not one day
    of the month or of the week."""
    text = normal_rule(rule)
    if not _RULE.match(text):
        raise ValueError(
            "a member day is FREQ=MONTHLY;BYMONTHDAY=1..31 or FREQ=WEEKLY;BYDAY=MO..SU"
        )
    parsed = rrulestr(text, dtstart=start)
    if not isinstance(parsed, rrule):
        raise ValueError("a member day is one rule")
    return parsed


def member_day(rule: str, now: datetime, timezone: str) -> date | None:
    """The member day a grant run at `now` is for: the latest one on or before today, if it is at
    most GRACE_DAYS old; None otherwise (nothing to grant today)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    # Only the days since GRACE_DAYS ago matter: start the rule there, not in 2000.
    since = datetime.combine(today - timedelta(days=GRACE_DAYS), datetime.min.time())
    parsed = parse_member_day(rule, since)
    end_of_today = datetime.combine(today, datetime.max.time())
    latest = parsed.before(end_of_today, inc=True)
    if latest is None or (today - latest.date()).days > GRACE_DAYS:
        return None
    return latest.date()


def member_day_period(day: date) -> str:
    return day.isoformat()
