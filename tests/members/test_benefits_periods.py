"""Benefit periods: a month in the business time zone, and member days written as rules, granted
on the day or a day late, never for an older one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.members.benefit_periods import (
    GRACE_DAYS,
    member_day,
    month_period,
    parse_member_day,
)

SH = "Asia/Shanghai"


def test_the_month_is_the_business_time_zones() -> None:
    assert month_period(datetime(2026, 11, 30, 16, 30, tzinfo=UTC), SH) == "2026-12"
    assert month_period(datetime(2026, 11, 30, 15, 59, tzinfo=UTC), SH) == "2026-11"


def test_a_monthly_member_day_is_granted_on_the_day_and_a_day_late_only() -> None:
    rule = "FREQ=MONTHLY;BYMONTHDAY=8"
    at = lambda d, h=10: datetime(2026, 12, d, h, tzinfo=UTC)  # noqa: E731
    assert member_day(rule, at(7), SH) is None
    assert member_day(rule, at(8), SH) == date(2026, 12, 8)
    assert member_day(rule, at(9), SH) == date(2026, 12, 8)  # late: still that member day
    assert member_day(rule, at(10), SH) is None


def test_a_weekly_member_day() -> None:
    # 2026-12-02 is a Wednesday.
    assert member_day("FREQ=WEEKLY;BYDAY=WE", datetime(2026, 12, 2, 3, tzinfo=UTC), SH) == date(
        2026, 12, 2
    )


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=DAILY",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;BYMONTHDAY=40",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=MONTHLY;BYMONTHDAY=1;COUNT=2",
        "FREQ=HOURLY;BYDAY=MO",
        "nonsense",
        "FREQ=MONTHLY;BYMONTHDAY=1;" + "X" * 200,
    ],
)
def test_rules_that_are_not_a_day_of_the_month_or_week_are_refused(rule: str) -> None:
    with pytest.raises(ValueError):
        parse_member_day(rule)


@given(
    st.integers(1, 28),
    st.datetimes(
        min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis adds the zone
        max_value=datetime(2030, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_a_member_day_found_is_on_the_rules_day_and_at_most_a_day_old(day, now) -> None:
    found = member_day(f"FREQ=MONTHLY;BYMONTHDAY={day}", now, SH)
    today = (now + timedelta(hours=8)).date()  # Shanghai has no daylight saving
    if found is None:
        assert all((today - timedelta(days=k)).day != day for k in range(GRACE_DAYS + 1))
    else:
        assert found.day == day and 0 <= (today - found).days <= GRACE_DAYS


@given(
    st.text(max_size=60)
    | st.builds(
        lambda freq, field, value: f"FREQ={freq};{field}={value}",
        st.sampled_from(["MONTHLY", "WEEKLY", "YEARLY"]),
        st.sampled_from(["BYMONTHDAY", "BYDAY", "COUNT"]),
        st.text(alphabet="-+0123456789MOTUWEFRSAX,", max_size=24),
    )
)
def test_any_rule_text_is_read_or_refused_with_words_never_an_other_error(rule: str) -> None:
    try:
        parse_member_day(rule)
    except ValueError as exc:
        assert str(exc)
