"""The commission, binding and clawback rules, as math."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.distribution import rules
from livecommerce.domains.distribution.rules import DistributionConfig
from livecommerce.infra.errors import DomainError
from livecommerce.infra.text import mask_name

rates = st.lists(st.integers(0, 3000), min_size=1, max_size=3)


@given(paid=st.integers(0, 10**9), level_rates=rates)
def test_each_level_is_floored_to_the_fen_and_never_more_than_its_share(
    paid: int, level_rates: list[int]
) -> None:
    amounts = rules.split(paid, level_rates)
    for amount, rate in zip(amounts, level_rates, strict=True):
        assert 0 <= paid * rate - amount * 10_000 < 10_000
    assert sum(amounts) <= paid * sum(level_rates) // 10_000


@given(
    paid=st.integers(1, 10**7),
    rate=st.integers(0, 10_000),
    refunds=st.lists(st.integers(0, 10**7), max_size=6),
)
def test_reversals_are_pro_rata_monotone_and_a_full_refund_reverses_all(
    paid: int, rate: int, refunds: list[int]
) -> None:
    amount = rules.commission(paid, rate)
    refunded, reversed_so_far = 0, 0
    for step in refunds:
        refunded = min(paid, refunded + step)
        now = rules.reversed_total(amount, rate, paid, refunded)
        assert reversed_so_far <= now <= amount
        # kept: the commission on what was kept
        assert rules.net(amount, now) == rules.commission(paid - refunded, rate)
        reversed_so_far = now
    assert rules.reversed_total(amount, rate, paid, paid) == amount


@given(amount=st.integers(0, 10**7), debt=st.integers(0, 10**7))
def test_new_commissions_repay_a_debt_first(amount: int, debt: int) -> None:
    repaid, paid = rules.repayment_split(amount, debt)
    assert repaid + paid == amount and 0 <= repaid <= debt
    assert paid == 0 or repaid == debt  # the wallet gets something only once the debt is clear


@given(owed=st.integers(0, 10**6), balance=st.integers(-(10**6), 10**6))
def test_a_clawback_is_split_whole(owed: int, balance: int) -> None:
    for policy in ("allow_negative", "cap_at_balance", "carry_debt"):
        taken, debt, forgiven = rules.clawback_split(policy, owed, balance)  # type: ignore[arg-type]
        assert taken + debt + forgiven == owed and min(taken, debt, forgiven) >= 0
        if policy != "allow_negative":
            assert taken <= max(balance, 0)


def test_binding_modes() -> None:
    live_a, expired_a = rules.Binding(1, False), rules.Binding(1, True)
    bind = rules.should_bind
    assert not bind(
        "last_touch", buyer_id=5, distributor_id=5, current=None, registering=True
    )  # self
    assert bind("first_touch", buyer_id=9, distributor_id=2, current=None, registering=False)
    assert not bind("first_touch", buyer_id=9, distributor_id=2, current=live_a, registering=False)
    assert bind("first_touch", buyer_id=9, distributor_id=2, current=expired_a, registering=False)
    assert bind("last_touch", buyer_id=9, distributor_id=2, current=live_a, registering=False)
    assert not bind("last_touch", buyer_id=9, distributor_id=1, current=live_a, registering=False)
    assert bind("register_only", buyer_id=9, distributor_id=2, current=None, registering=True)
    assert not bind("register_only", buyer_id=9, distributor_id=2, current=None, registering=False)
    assert not bind(
        "register_only", buyer_id=9, distributor_id=2, current=expired_a, registering=True
    )


@given(
    parents=st.dictionaries(st.integers(1, 20), st.integers(1, 20) | st.none(), max_size=20),
    user=st.integers(1, 20),
    parent=st.integers(1, 20),
)
def test_a_chain_never_repeats_and_a_loop_is_seen(
    parents: dict[int, int | None], user: int, parent: int
) -> None:
    found = rules.chain(user, parents, 3)
    assert len(found) == len(set(found)) <= 3
    assert found[:1] == [user] and all(
        parents.get(lower) == upper for lower, upper in pairwise(found)
    )  # each level is the parent of the one below
    if rules.creates_loop(user, parent, parents):
        node, seen = parent, set()
        while node is not None and node != user and node not in seen:
            seen.add(node)
            node = parents.get(node)
        assert node == user


def test_settings_laws() -> None:
    assert rules.validate(DistributionConfig()) == DistributionConfig()
    with pytest.raises(DomainError) as too_high:
        rules.validate(DistributionConfig(levels=3, level_rates_bp=[2000, 1000, 1]))
    assert too_high.value.code == "commission_rates_too_high"
    with pytest.raises(DomainError):
        rules.validate(DistributionConfig(levels=1, level_rates_bp=[100, 100]))
    assert rules.rates_for(DistributionConfig(levels=3, level_rates_bp=[1, 2, 3]), [500]) == [
        500,
        0,
        0,
    ]
    assert rules.rates_for(DistributionConfig(), [7, 8, 9]) == [7, 8]
    assert mask_name("张三丰") == "张**" and mask_name("bob") == "b**" and mask_name("") == "**"
