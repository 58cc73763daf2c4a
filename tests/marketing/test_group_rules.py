"""The pure group-buy rules: the terms a host may set and who may join a group when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.marketing.group_rules import check_terms, join_refusal, seats_left
from livecommerce.infra.errors import DomainError

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@given(size=st.integers(-5, 60), hours=st.integers(-5, 80), price=st.integers(-5, 2000))
def test_terms_are_accepted_exactly_within_their_bounds(size, hours, price):
    ok = 2 <= size <= 50 and 1 <= hours <= 72 and 1 <= price < 1000
    try:
        check_terms(size, hours, {7: price}, {7: 1000})
    except DomainError as error:
        assert not ok and error.code == "group_buy_invalid"
    else:
        assert ok


def test_a_price_for_another_products_sku_is_refused():
    with pytest.raises(DomainError):
        check_terms(2, 24, {8: 500}, {7: 1000})


@given(
    size=st.integers(2, 50),
    paid=st.integers(0, 50),
    status=st.sampled_from(["pending", "open", "succeeded", "failed", "abandoned"]),
    minutes_left=st.integers(-100, 100),
    own=st.booleans(),
)
def test_a_buyer_may_join_only_an_open_group_of_someone_else_with_a_free_seat_and_time(
    size, paid, status, minutes_left, own
):
    paid = min(paid, size)
    refusal = join_refusal(
        status=status,
        leader_id=1,
        buyer_id=1 if own else 2,
        paid_count=paid,
        group_size=size,
        expires_at=NOW + timedelta(minutes=minutes_left),
        now=NOW,
    )
    joinable = not own and status == "open" and paid < size and minutes_left > 0
    assert (refusal is None) == joinable
    if own:
        assert refusal is not None and refusal.code == "group_buy_own"
    elif status == "succeeded" or (status == "open" and paid >= size):
        assert refusal is not None and refusal.code == "group_buy_full"
    assert seats_left(size, paid) == size - paid
