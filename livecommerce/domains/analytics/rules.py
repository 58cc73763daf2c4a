"""Pure rules of the analytics domain, tested as math: the funnel's definition in plain Python
(the reference the SQL pass is checked against) and the sales decomposition."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


def reference_funnel(
    events: Iterable[tuple[Hashable, str, datetime]],
    steps: tuple[str, ...],
    window: timedelta,
) -> list[int]:
    """Viewers reaching each step. `events` are (viewer, kind, time). A viewer reaches step k when
    some step-1 time `a` starts a chain step 1 ≤ step 2 ≤ ... ≤ step k (each at or after the one
    before) with step k at most `a + window`. Followed greedily from each start (the earliest
    next step), which reaches every step as early as any chain from that start can."""
    times: dict[Hashable, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for viewer, kind, at in events:
        if kind in steps:
            times[viewer][kind].append(at)
    counts = [0] * len(steps)
    for by_kind in times.values():
        for series in by_kind.values():
            series.sort()
        best = 0
        for start in by_kind.get(steps[0], []):
            depth, at = 1, start
            for kind in steps[1:]:
                series = by_kind.get(kind, [])
                i = bisect.bisect_left(series, at)
                if i == len(series) or series[i] > start + window:
                    break
                at = series[i]
                depth += 1
            best = max(best, depth)
            if best == len(steps):
                break
        for k in range(best):
            counts[k] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Decomposition:
    """sales = visitors × conversion × value per buyer (客单价), each with its change."""

    visitors: int
    buyers: int
    sales: int  # fen
    conversion: float  # buyers / visitors (0 without visitors)
    value_per_buyer: float  # fen: sales / buyers (0 without buyers)


def decompose(visitors: int, buyers: int, sales: int) -> Decomposition:
    """The three factors of `sales`. Buyers who came in without a recorded room entry (an
    event lost, an order from a link) still count: visitors are at least the buyers, so
    conversion stays ≤ 1 and the product still gives back the sales."""
    visitors = max(visitors, buyers)
    conversion = buyers / visitors if visitors else 0.0
    value = sales / buyers if buyers else 0.0
    return Decomposition(visitors, buyers, sales, conversion, value)


def change(current: float, previous: float | None) -> float | None:
    """Relative change against the previous figure (0.25 = +25 %); None without a base."""
    if previous is None or previous == 0:
        return None
    return (current - previous) / previous


@dataclass(frozen=True, slots=True)
class Contribution:
    """How much of the change in sales each factor explains, in fen (log-mean split, so the
    three parts add up to the change exactly whenever both periods have sales)."""

    visitors: float
    conversion: float
    value_per_buyer: float


def contributions(now: Decomposition, before: Decomposition) -> Contribution | None:
    import math

    factors_now = (now.visitors, now.conversion, now.value_per_buyer)
    factors_before = (before.visitors, before.conversion, before.value_per_buyer)
    if now.sales <= 0 or before.sales <= 0 or min(*factors_now, *factors_before) <= 0:
        return None
    if now.sales == before.sales:
        weight = float(now.sales)
    else:
        weight = (now.sales - before.sales) / (math.log(now.sales) - math.log(before.sales))
    parts = [weight * math.log(a / b) for a, b in zip(factors_now, factors_before, strict=True)]
    return Contribution(*parts)
