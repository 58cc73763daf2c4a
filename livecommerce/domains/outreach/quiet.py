"""Quiet hours: a daily window in the user's zone ('21:00-09:00' wraps past midnight) when
nothing is pushed to them; a delivery due inside it waits for the window's end."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def parse(window: str) -> tuple[time, time] | None:
    """('21:00', '09:00') of 'HH:MM-HH:MM'; None for '', 'off' or anything malformed."""
    try:
        start, end = window.split("-")
        a, b = time.fromisoformat(start), time.fromisoformat(end)
    except ValueError:
        return None
    return None if a == b else (a, b)


def zone(name: str, default: str) -> ZoneInfo:
    for candidate in (name, default, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def quiet_until(now: datetime, window: str, tz: ZoneInfo) -> datetime | None:
    """When the quiet window that `now` falls in ends (UTC), or None if `now` is not quiet."""
    bounds = parse(window)
    if bounds is None:
        return None
    start, end = bounds
    local = now.astimezone(tz)
    t = local.time()
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    # Wall-clock end in the zone (a DST jump just moves it by the zone's rule).
    return datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
