"""The split of a tip and the caps, as laws."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.marketing.gifts_rules import TipSettings, cap_passed, split_tip


@given(amount=st.integers(0, 10**9), fee_bp=st.integers(0, 10_000))
def test_the_split_sums_to_the_tip_and_the_fee_never_exceeds_its_rate(
    amount: int, fee_bp: int
) -> None:
    share, fee = split_tip(amount, fee_bp)
    assert share + fee == amount and share >= 0 and fee >= 0
    assert fee * 10_000 <= amount * fee_bp < (fee + 1) * 10_000


def test_a_split_outside_its_range_is_refused() -> None:
    with pytest.raises(ValueError):
        split_tip(100, 10_001)
    with pytest.raises(ValueError):
        split_tip(-1, 100)


@given(
    amount=st.integers(1, 10**7),
    caps=st.tuples(*(st.integers(1, 10**7) for _ in range(3))),
)
def test_a_single_tip_passes_the_first_cap_it_is_over(amount: int, caps: tuple[int, ...]) -> None:
    settings = TipSettings(max_per_tip=caps[0], max_per_session=caps[1], max_per_day=caps[2])
    passed = cap_passed(settings, amount)
    limits = dict(zip(("tip", "session", "day"), caps, strict=True))
    assert passed == next((scope for scope, cap in limits.items() if amount > cap), None)


def test_leaderboards_are_off_unless_turned_on() -> None:
    assert msgspec.convert({}, TipSettings).leaderboards_enabled is False
