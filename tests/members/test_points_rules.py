"""The points arithmetic as laws (points_rules.py): refunds in any number of parts give back (and
take back) exactly what one refund of the same total would, all of it on a full refund; a
redemption never charges more points than asked nor takes more than the cap; taking back never
takes a pool below zero."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from livecommerce.domains.members.points_rules import (
    PointsRules,
    earned,
    earned_kept,
    fen_for,
    max_discount,
    most_points,
    points_for,
    redeem,
    spent_back,
    take,
    usable,
)

fen = st.integers(1, 10**9)
pts = st.integers(0, 10**9)


def _cuts(total: int, cuts: list[int]) -> list[int]:
    """Refund totals after each of some partial refunds of `total` (ascending, ending at it)."""
    return sorted({min(max(c, 1), total) for c in cuts} | {total})


@given(spent=pts, paid=fen, cuts=st.lists(st.integers(1, 10**9), max_size=8))
def test_spent_points_come_back_exactly_over_any_partial_refunds(
    spent: int, paid: int, cuts: list[int]
) -> None:
    totals = _cuts(paid, cuts)
    steps = []
    before = 0
    for after in totals:
        steps.append(spent_back(spent, paid, after) - spent_back(spent, paid, before))
        before = after
    assert all(step >= 0 for step in steps)
    assert sum(steps) == spent  # fully refunded: every point back, none more
    # Stopping part way gives back what one refund of that total would.
    for i, after in enumerate(totals):
        assert sum(steps[: i + 1]) == spent * after // paid


@given(points=pts, kept=fen, cuts=st.lists(st.integers(1, 10**9), max_size=8))
def test_earned_points_are_taken_back_exactly_over_any_partial_refunds(
    points: int, kept: int, cuts: list[int]
) -> None:
    totals = _cuts(kept, cuts)
    taken = []
    before = 0
    for after in totals:
        taken.append(
            earned_kept(points, kept, kept - before) - earned_kept(points, kept, kept - after)
        )
        before = after
    assert all(step >= 0 for step in taken)
    assert sum(taken) == points
    assert earned_kept(points, kept, kept) == points and earned_kept(points, kept, 0) == 0


@given(kept=st.integers(0, 10**10), earn_bp=st.integers(0, 10_000))
def test_earning_is_the_floor_of_the_rate(kept: int, earn_bp: int) -> None:
    got = earned(kept, earn_bp)
    assert got * 10_000 <= kept * earn_bp < (got + 1) * 10_000


@given(
    asked=pts,
    rate=st.integers(1, 100_000),
    due=fen,
    cap_bp=st.integers(0, 10_000),
    available=pts,
)
def test_a_redemption_charges_at_most_what_is_asked_for_whole_fen(
    asked: int, rate: int, due: int, cap_bp: int, available: int
) -> None:
    rules = PointsRules(points_per_yuan=rate, cap_bp=cap_bp)
    got = redeem(asked, rules)
    assert 0 <= got.points <= asked
    assert got.discount == fen_for(asked, rate)
    # The points charged buy exactly the discount, and one point fewer would not.
    assert fen_for(got.points, rate) == got.discount
    assert got.points == 0 or fen_for(got.points - 1, rate) < got.discount
    offer = usable(available, due, rules)
    assert offer.points <= available
    assert offer.discount <= max_discount(due, cap_bp) <= due - 1
    assert redeem(offer.points, rules) == offer  # what the sheet offers, placing accepts
    # No more points than the offer's fit under the cap (when the buyer has them).
    most = most_points(due, rules)
    assert fen_for(most, rate) <= max_discount(due, cap_bp) < fen_for(most + 1, rate)
    if available > offer.points:
        assert fen_for(offer.points + 1, rate) > max_discount(due, cap_bp) or (
            fen_for(offer.points + 1, rate) == offer.discount
        )


@given(fen_=st.integers(0, 10**9), rate=st.integers(1, 100_000))
def test_points_for_is_the_least_that_buys(fen_: int, rate: int) -> None:
    p = points_for(fen_, rate)
    assert fen_for(p, rate) >= fen_
    assert p == 0 or fen_for(p - 1, rate) < fen_


@given(need=pts, pools=st.lists(pts, max_size=6))
def test_taking_back_never_takes_a_pool_below_zero(need: int, pools: list[int]) -> None:
    taken, short = take(need, pools)
    assert all(0 <= t <= p for t, p in zip(taken, pools, strict=True))
    assert sum(taken) + short == need
    assert short == max(0, need - sum(pools))
    # Earlier pools are emptied first.
    for i, t in enumerate(taken):
        if t < pools[i]:
            assert all(x == 0 for x in taken[i + 1 :])


@given(due=fen, cap_bp=st.integers(0, 10_000))
def test_the_cap_always_leaves_a_fen_to_pay(due: int, cap_bp: int) -> None:
    assume(due >= 1)
    cap = max_discount(due, cap_bp)
    assert 0 <= cap <= due - 1 and cap <= due * cap_bp // 10_000
