"""Flash-sale rules, pure: the terms a host may set, the phase a sale is in at a given time,
and whether its price is a real deal against the SKU's 30-day low."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

COUNTDOWN_SECONDS = (10, 300)  # shown to every viewer before the sale opens
WINDOW_MINUTES = (1, 20)  # how long it stays open
LOWEST_DAYS = 30  # the look-back of the "lowest price" warning


class Phase(StrEnum):
    UPCOMING = "upcoming"  # counting down
    RUNNING = "running"
    ENDED = "ended"


def terms_problem(
    *,
    price: int,
    list_price: int,
    quantity: int,
    per_user_limit: int,
    countdown_seconds: int,
    window_minutes: int,
    stock: int,
) -> tuple[str, str] | None:
    """(field, why) of the first term that can't be, or None when the terms are sound."""
    low, high = COUNTDOWN_SECONDS
    if not low <= countdown_seconds <= high:
        return "countdownSeconds", f"the countdown is {low} to {high} seconds"
    low, high = WINDOW_MINUTES
    if not low <= window_minutes <= high:
        return "windowMinutes", f"the sale stays open {low} to {high} minutes"
    if not 0 < price < list_price:
        return "price", f"the flash price is more than 0 and below the list price ({list_price})"
    if quantity < 1:
        return "quantity", "at least one unit"
    if quantity > stock:
        return "quantity", f"the SKU has {stock} in stock"
    if not 1 <= per_user_limit <= quantity:
        return "perUserLimit", "the per-buyer limit is 1 to the quantity"
    return None


def window(now: datetime, countdown_seconds: int, window_minutes: int) -> tuple[datetime, datetime]:
    """(opens, closes) of a sale made at `now`."""
    opens = now + timedelta(seconds=countdown_seconds)
    return opens, opens + timedelta(minutes=window_minutes)


def phase(now: datetime, starts_at: datetime, ends_at: datetime, status: str) -> Phase:
    if status == "ended" or now >= ends_at:
        return Phase.ENDED
    return Phase.UPCOMING if now < starts_at else Phase.RUNNING


def not_lowest(price: int, lowest_30d: int) -> bool:
    """The warning: the flash price is no lower than the lowest the SKU sold at in 30 days."""
    return price >= lowest_30d
