"""The pure rules as laws: red-packet splits and coupon pricing."""

from __future__ import annotations

from random import Random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from livecommerce.domains.promotions.rules import (
    CouponTerms,
    Line,
    best_luck,
    coupon_discount,
    price_with_coupon,
    split_equal,
    split_lucky,
)


@given(total=st.integers(1, 10**8), count=st.integers(1, 2_000), seed=st.integers(0, 2**32))
def test_a_lucky_split_is_whole_fen_each_at_least_one_summing_to_the_total(
    total: int, count: int, seed: int
) -> None:
    assume(total >= count)
    parts = split_lucky(total, count, Random(seed))
    assert len(parts) == count and sum(parts) == total and min(parts) >= 1
    assert all(isinstance(p, int) for p in parts)


@given(total=st.integers(2, 10**7), count=st.integers(2, 500), seed=st.integers(0, 2**32))
def test_each_lucky_draw_but_the_last_stays_within_twice_the_remaining_average(
    total: int, count: int, seed: int
) -> None:
    assume(total >= count)
    parts = split_lucky(total, count, Random(seed))
    left = total
    for i, part in enumerate(parts[:-1]):
        remaining = count - i
        assert 1 <= part <= max(1, 2 * left // remaining)
        left -= part


@given(total=st.integers(1, 10**8), count=st.integers(1, 10_000))
def test_an_equal_split_differs_by_at_most_one_fen(total: int, count: int) -> None:
    assume(total >= count)
    parts = split_equal(total, count)
    assert (
        len(parts) == count
        and sum(parts) == total
        and min(parts) >= 1
        and max(parts) - min(parts) <= 1
    )


@pytest.mark.parametrize("split", [split_equal, lambda t, c: split_lucky(t, c, Random(1))])
def test_a_split_refuses_less_than_one_fen_a_part(split) -> None:
    with pytest.raises(ValueError):
        split(99, 100)
    with pytest.raises(ValueError):
        split(10, 0)


terms = st.one_of(
    st.builds(
        CouponTerms,
        kind=st.just("amount_off"),
        amount_off=st.integers(1, 10**6),
        min_spend=st.integers(0, 10**6),
    ),
    st.builds(
        CouponTerms,
        kind=st.just("percent_off"),
        percent_off_bp=st.integers(1, 9_999),
        max_discount=st.one_of(st.none(), st.integers(1, 10**6)),
        min_spend=st.integers(0, 10**6),
    ),
)
lines = st.lists(
    st.builds(Line, amount=st.integers(1, 10**6), eligible=st.booleans()), min_size=1, max_size=30
)


@given(coupon=terms, order=lines)
def test_a_coupon_never_takes_more_than_the_order_and_its_spread_sums_exactly(
    coupon: CouponTerms, order: list[Line]
) -> None:
    discount = coupon_discount(coupon, order)
    shares = price_with_coupon(coupon, order)
    total = sum(line.amount for line in order)
    eligible = sum(line.amount for line in order if line.eligible)
    assert 0 <= discount <= eligible and discount < total  # at least 1 fen is always paid
    assert sum(shares) == discount and len(shares) == len(order)
    for line, share in zip(order, shares, strict=True):
        assert 0 <= share <= line.amount
        if not line.eligible:
            assert share == 0


@given(coupon=terms, order=lines)
def test_a_coupon_below_its_threshold_takes_nothing(coupon: CouponTerms, order: list[Line]) -> None:
    eligible = sum(line.amount for line in order if line.eligible)
    assume(eligible < coupon.min_spend or eligible == 0)
    assert coupon_discount(coupon, order) == 0 and set(price_with_coupon(coupon, order)) == {0}


def test_pricing_examples() -> None:
    order = [Line(6_000, True), Line(4_000, True), Line(5_000, False)]
    assert price_with_coupon(
        CouponTerms("amount_off", amount_off=1_000, min_spend=10_000), order
    ) == [600, 400, 0]
    assert (
        coupon_discount(CouponTerms("amount_off", amount_off=1_000, min_spend=10_001), order) == 0
    )
    assert (
        coupon_discount(CouponTerms("percent_off", percent_off_bp=1_500), order) == 1_500
    )  # 15 % of 10,000
    assert (
        coupon_discount(CouponTerms("percent_off", percent_off_bp=1_500, max_discount=800), order)
        == 800
    )
    assert coupon_discount(CouponTerms("amount_off", amount_off=50_000), [Line(300, True)]) == 299


def test_best_luck_is_the_largest_part_and_the_earliest_on_a_tie() -> None:
    assert best_luck([]) is None
    assert best_luck([5, 9, 3, 9]) == 1
