"""The flash-sale rules as laws: the phase moves forward in time only, the window is the terms,
and sound terms pass while each broken one is named."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.marketing.flash_rules import (
    Phase,
    not_lowest,
    phase,
    terms_problem,
    window,
)

T0 = datetime(2026, 12, 3, 12, tzinfo=UTC)
ORDER = [Phase.UPCOMING, Phase.RUNNING, Phase.ENDED]


@given(
    countdown=st.integers(10, 300),
    minutes=st.integers(1, 20),
    a=st.integers(0, 2_000),
    b=st.integers(0, 2_000),
)
def test_the_phase_only_moves_forward_and_the_window_is_the_terms(
    countdown: int, minutes: int, a: int, b: int
) -> None:
    opens, closes = window(T0, countdown, minutes)
    assert (opens - T0, closes - opens) == (
        timedelta(seconds=countdown),
        timedelta(minutes=minutes),
    )
    early, late = sorted((T0 + timedelta(seconds=a), T0 + timedelta(seconds=b)))
    first, second = phase(early, opens, closes, "active"), phase(late, opens, closes, "active")
    assert ORDER.index(first) <= ORDER.index(second)
    assert phase(early, opens, closes, "ended") is Phase.ENDED
    assert phase(opens, opens, closes, "active") is Phase.RUNNING
    assert phase(closes, opens, closes, "active") is Phase.ENDED


@given(price=st.integers(1, 999), quantity=st.integers(1, 50), limit=st.integers(1, 50))
def test_sound_terms_pass_and_each_broken_term_is_named(
    price: int, quantity: int, limit: int
) -> None:
    terms = {
        "price": price,
        "list_price": 1_000,
        "quantity": quantity,
        "per_user_limit": min(limit, quantity),
        "countdown_seconds": 60,
        "window_minutes": 10,
        "stock": 50,
    }
    assert terms_problem(**terms) is None
    for change, field in [
        ({"countdown_seconds": 9}, "countdownSeconds"),
        ({"window_minutes": 21}, "windowMinutes"),
        ({"price": 1_000}, "price"),
        ({"quantity": 51}, "quantity"),
        ({"per_user_limit": quantity + 1}, "perUserLimit"),
    ]:
        found = terms_problem(**{**terms, **change})
        assert found is not None and found[0] == field
    assert not_lowest(price, price) and not not_lowest(price, price + 1)
