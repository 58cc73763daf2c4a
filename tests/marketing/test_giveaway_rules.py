"""The draw as math: the ranking is a function of the seed and the set of tokens only, a redraw
continues it, and the published check catches any winner the seed does not give."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.marketing import giveaway_rules as rules

seeds = st.binary(min_size=32, max_size=32)
tokens = st.lists(st.text("0123456789abcdef", min_size=16, max_size=16), max_size=60, unique=True)


@given(seed=seeds, entries=tokens, data=st.data())
def test_the_ranking_depends_on_the_seed_and_the_set_only(seed, entries, data) -> None:
    shuffled = data.draw(st.permutations(entries))
    assert rules.ranking(seed, entries) == rules.ranking(seed, shuffled)
    assert sorted(rules.ranking(seed, entries)) == sorted(entries)


@given(seed=seeds, entries=tokens, first=st.integers(0, 20), more=st.integers(0, 20))
def test_a_redraw_takes_the_next_places_and_never_an_earlier_winner(
    seed, entries, first, more
) -> None:
    drawn = rules.draw(seed, entries, first)
    redrawn = rules.draw(seed, entries, more, already_drawn=len(drawn))
    assert not set(drawn) & set(redrawn)
    assert drawn + redrawn == rules.ranking(seed, entries)[: len(drawn) + len(redrawn)]


def test_the_score_is_the_documented_hmac() -> None:
    import hmac

    seed, token = bytes(range(32)), "0123456789abcdef"
    assert rules.score(seed, token) == hmac.new(seed, token.encode(), hashlib.sha256).hexdigest()
    assert rules.seed_hash(seed) == hashlib.sha256(seed).hexdigest()


@given(seed=seeds, entries=tokens.filter(lambda e: len(e) >= 3))
def test_verify_accepts_the_true_draw_and_refuses_a_swapped_one(seed, entries) -> None:
    order = rules.ranking(seed, entries)
    published = {
        "algorithm": rules.ALGORITHM,
        "seed": seed.hex(),
        "seedHash": rules.seed_hash(seed),
        "winnersCount": 2,
        "entries": [{"token": t} for t in entries],
        "winners": [{"rank": i, "round": 1, "token": order[i]} for i in range(2)],
    }
    assert rules.verify(published)[0] == []
    swapped = {**published, "winners": [{"rank": 0, "round": 1, "token": order[2]},
                                        {"rank": 1, "round": 1, "token": order[1]}]}  # fmt: skip
    assert rules.verify(swapped)[0] != []
    other_seed = {**published, "seedHash": rules.seed_hash(b"x" * 32)}
    assert rules.verify(other_seed)[0] != []


def test_names_are_masked() -> None:
    assert rules.mask_name("张三丰") == "张*丰"
    assert rules.mask_name("李雷") == "李*"
    assert rules.mask_name("Alexander") == "A***r"
    assert rules.mask_name("") == "**"
