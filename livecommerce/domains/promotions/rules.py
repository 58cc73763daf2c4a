"""Pure promotion rules: what a coupon takes off an order, and how a red packet is split.

No I/O here: these are functions of values, tested as laws with hypothesis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from livecommerce.domains.orders.rules import allocate


@dataclass(frozen=True)
class CouponTerms:
    kind: str  # amount_off | percent_off
    amount_off: int = 0  # fen
    percent_off_bp: int = 0  # basis points taken off
    max_discount: int | None = None  # fen cap of a percent_off coupon
    min_spend: int = 0  # fen the eligible items must reach (0: no threshold)


@dataclass(frozen=True)
class Line:
    amount: int  # fen: unit price x quantity
    eligible: bool  # inside the coupon's scope


def eligible_total(lines: list[Line]) -> int:
    return sum(line.amount for line in lines if line.eligible)


def threshold_met(terms: CouponTerms, lines: list[Line]) -> bool:
    total = eligible_total(lines)
    return total > 0 and total >= terms.min_spend


def coupon_discount(terms: CouponTerms, lines: list[Line]) -> int:
    """The discount in fen (0 when the threshold is not met).

    Never more than the eligible items' amount, and an order always keeps at least 1 fen to
    pay: a 0-fen payment has nothing to move through the ledger.
    """
    if not threshold_met(terms, lines):
        return 0
    base = eligible_total(lines)
    if terms.kind == "amount_off":
        raw = terms.amount_off
    elif terms.kind == "percent_off":
        raw = (
            base * terms.percent_off_bp // 10_000
        )  # floor: the buyer never gets a fraction of a fen
        if terms.max_discount is not None:
            raw = min(raw, terms.max_discount)
    else:
        raise ValueError(f"unknown coupon kind {terms.kind!r}")
    order_total = sum(line.amount for line in lines)
    return max(0, min(raw, base, order_total - 1))


def price_with_coupon(terms: CouponTerms, lines: list[Line]) -> list[int]:
    """Each line's share of the discount: spread over the eligible lines in proportion to their
    amounts (so refunds and commissions use what was actually paid), 0 on the others."""
    discount = coupon_discount(terms, lines)
    weights = [line.amount if line.eligible else 0 for line in lines]
    if discount == 0:
        return [0] * len(lines)
    return allocate(discount, weights)


def coupon_window(
    valid_from: datetime | None,
    valid_to: datetime | None,
    valid_minutes: int | None,
    claimed_at: datetime,
) -> tuple[datetime, datetime]:
    """The validity of a copy claimed at `claimed_at`: the template's window, or N minutes from
    the claim."""
    if valid_minutes is not None:
        return claimed_at, claimed_at + timedelta(minutes=valid_minutes)
    if valid_to is None:
        raise ValueError("a coupon needs valid_to or valid_minutes")
    return valid_from or claimed_at, valid_to


def split_equal(total: int, count: int) -> list[int]:
    """`count` parts of `total` fen as equal as whole fen allow (the first ones get the extra
    fen)."""
    _check_split(total, count)
    base, extra = divmod(total, count)
    return [base + 1 if i < extra else base for i in range(count)]


def split_lucky(total: int, count: int, rng: Random) -> list[int]:
    """二倍均值: each part is random in [1, 2 x the remaining average], the last one the remainder.

    Every part is >= 1 because each draw leaves at least 1 fen for each part still to come.
    """
    _check_split(total, count)
    parts: list[int] = []
    left = total
    for remaining in range(count, 1, -1):
        high = min(2 * left // remaining, left - (remaining - 1))
        part = rng.randint(1, max(1, high))
        parts.append(part)
        left -= part
    parts.append(left)
    return parts


def _check_split(total: int, count: int) -> None:
    if count < 1 or total < count:
        raise ValueError(f"can't split {total} fen into {count} parts of at least 1 fen")


def best_luck(amounts_in_grab_order: list[int]) -> int | None:
    """手气最佳: the position of the largest part grabbed (the earliest grab on a tie); None if
    none."""
    if not amounts_in_grab_order:
        return None
    return max(range(len(amounts_in_grab_order)), key=lambda i: (amounts_in_grab_order[i], -i))
