"""The tier rules as math: which tier a growth earns, never lowered on payment, the edge rule,
what "再消费 ¥X 升级 / 保级" says, window bounds, and a member price never stacking with a flash
price."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.members.tier_rules import (
    Tier,
    Window,
    at_edge,
    closing_start,
    current_start,
    ladder_problems,
    last_edge,
    lowest_price,
    next_edge,
    rank,
    standing,
    tier_for,
    upgraded,
)

SH = "Asia/Shanghai"


@st.composite
def ladders(draw) -> list[Tier]:
    steps = draw(st.lists(st.integers(1, 10**6), min_size=1, max_size=8))
    first = draw(st.integers(0, 1000))
    thresholds = [first]
    for step in steps[1:]:
        thresholds.append(thresholds[-1] + step)
    return [Tier(code=f"t{i}", name=f"T{i}", threshold=t) for i, t in enumerate(thresholds)]


growths = st.integers(-(10**7), 10**8)


@given(ladders(), growths)
def test_a_growth_earns_the_highest_tier_whose_threshold_it_reaches(tiers, growth) -> None:
    earned = tier_for(growth, tiers)
    reached = [t for t in tiers if growth >= t.threshold]
    assert earned == (reached[-1] if reached else None)
    assert ladder_problems(tiers) == []


@given(ladders(), growths, growths)
def test_more_growth_never_earns_a_lower_tier(tiers, a, b) -> None:
    low, high = sorted((a, b))
    earned_low, earned_high = tier_for(low, tiers), tier_for(high, tiers)
    assert rank(earned_low.code if earned_low else None, tiers) <= rank(
        earned_high.code if earned_high else None, tiers
    )


@given(ladders(), st.integers(-1, 7), growths)
def test_a_payment_raises_a_tier_and_never_lowers_it(tiers, held_rank, growth) -> None:
    held = tiers[held_rank].code if 0 <= held_rank < len(tiers) else ""
    raised = upgraded(held, growth, tiers)
    if raised is not None:
        assert rank(raised.code, tiers) > rank(held, tiers)
        assert raised == tier_for(growth, tiers)
    else:
        earned = tier_for(growth, tiers)
        assert rank(earned.code if earned else None, tiers) <= rank(held, tiers)


@given(ladders(), growths, growths)
def test_at_the_edge_the_member_holds_the_better_of_the_closed_and_the_new_window(
    tiers, closed, current
) -> None:
    held = at_edge(closed, current, tiers)
    best = tier_for(max(closed, current), tiers)
    assert held == best


@given(ladders(), st.integers(-1, 7), st.integers(0, 10**8), st.integers(0, 10**8))
def test_spend_x_more_to_upgrade_reaches_the_next_tier_and_keep_reaches_the_held_one(
    tiers, held_rank, growth_now, growth_kept
) -> None:
    held = tiers[held_rank].code if 0 <= held_rank < len(tiers) else ""
    where = standing(held, growth_now, growth_kept, tiers)
    if where.next is None:
        assert where.to_upgrade is None
        assert where.held is None or where.held == tiers[-1]
    else:
        assert where.to_upgrade is not None and where.to_upgrade >= 0
        # Spending exactly what it says earns the next tier (at least); a fen less does not.
        reached = tier_for(growth_now + where.to_upgrade, tiers)
        assert reached is not None and rank(reached.code, tiers) >= rank(where.next.code, tiers)
        if where.to_upgrade > 0:
            short = tier_for(growth_now + where.to_upgrade - 1, tiers)
            assert rank(short.code if short else None, tiers) < rank(where.next.code, tiers)
    if where.held is not None:
        assert growth_kept + where.to_keep >= where.held.threshold
        assert where.to_keep == 0 or growth_kept + where.to_keep - 1 < where.held.threshold


def test_the_words_of_a_member_card_example() -> None:
    tiers = [
        Tier("normal", "普通", 0),
        Tier("silver", "银卡", 100_00),
        Tier("gold", "金卡", 500_00),
        Tier("black", "黑金", 2000_00),
    ]
    where = standing("gold", 120_00, 320_00, tiers)
    assert (where.held.name, where.next.name) == ("金卡", "黑金")  # type: ignore[union-attr]
    assert where.to_upgrade == 1880_00  # 再消费 ¥1880 升级黑金
    assert where.to_keep == 180_00  # 再消费 ¥180 保级金卡
    assert standing("black", 0, 0, tiers).to_upgrade is None


def test_a_ladder_with_problems_says_each() -> None:
    more = [Tier(f"x{i}", "X", 200 + i) for i in range(8)]
    bad = [Tier("a", "A", 100), Tier("a", "B", 100), *more]
    problems = ladder_problems(bad)
    assert any("unique" in p for p in problems)
    assert any("ascend" in p for p in problems)
    assert any("at most 8" in p for p in problems)


instants = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis adds the zone
    max_value=datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
windows = st.one_of(
    st.just(Window("all", None, SH)),
    st.just(Window("month", None, SH)),
    st.integers(1, 730).map(lambda n: Window("days", n, SH)),
)


@given(windows, instants)
def test_edges_bracket_now_and_the_closing_window_ends_at_the_next_edge(window, now) -> None:
    before, after = last_edge(window, now), next_edge(window, now)
    assert before <= now < after
    local = before.astimezone(ZoneInfo(SH))
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    start = current_start(window, now)
    closing = closing_start(window, after)
    if window.kind == "all":
        assert start is None and closing is None
    else:
        assert start is not None and closing is not None and start <= now
        if window.kind == "month":
            assert start == before == closing  # this month is what the next edge closes
            assert start.astimezone(ZoneInfo(SH)).day == 1
        else:
            # Today and the N − 1 days before; the next edge keeps the N days before it.
            assert start == before - timedelta(days=window.days - 1)
            assert closing == after - timedelta(days=window.days)


def test_month_edges_are_local_midnights_of_the_first() -> None:
    window = Window("month", None, SH)
    # 2026-11-30 17:00 UTC is 2026-12-01 01:00 in Shanghai: December already.
    now = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert last_edge(window, now) == datetime(2026, 12, 1, tzinfo=ZoneInfo(SH))
    assert next_edge(window, now) == datetime(2027, 1, 1, tzinfo=ZoneInfo(SH))
    assert closing_start(window, last_edge(window, now)) == datetime(
        2026, 11, 1, tzinfo=ZoneInfo(SH)
    )


prices = st.integers(0, 10**7)


@given(st.integers(1, 10**7), st.none() | prices, st.none() | prices)
def test_a_member_price_never_stacks_with_a_flash_price_the_lower_wins(
    list_price, member, flash
) -> None:
    paid = lowest_price(list_price, member, flash)
    offers = [p for p in (member, flash) if p is not None]
    assert paid == min([list_price, *offers])
    assert paid <= list_price
    assert paid in (list_price, *offers)  # one price, never one discount on top of the other
    if member is not None and flash is not None and max(member, flash) < list_price:
        # Stacked, the two discounts would take the price below both offers.
        assert paid == min(member, flash) > member + flash - list_price
