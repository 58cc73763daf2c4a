"""The spec rules as laws: every combination of declared values fits, nothing else does, no
combination twice, and a derived name always fits a SKU's name column."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.catalog import specs
from livecommerce.domains.catalog.schemas import MAX_SPECS
from livecommerce.infra.errors import DomainError

value = st.text(alphabet="红蓝黑白SMLX0123456789", min_size=1, max_size=16)
spec_list = st.lists(
    st.tuples(
        st.text(alphabet="颜色尺码款式", min_size=1, max_size=16),
        st.lists(value, min_size=1, max_size=4, unique=True),
    ),
    min_size=1,
    max_size=MAX_SPECS,
    unique_by=lambda spec: spec[0],
)


def _declared(raw: list[tuple[str, list[str]]]) -> list[dict]:
    return specs.spec_dicts([{"name": name, "values": values} for name, values in raw])


@given(spec_list)
def test_every_combination_fits_once_and_its_name_fits_the_column(raw) -> None:
    declared = _declared(raw)
    combos = list(itertools.product(*(s["values"] for s in declared)))
    labels = [specs.derived_name(None, combo) for combo in combos]
    specs.check_fit(declared, list(zip(labels, combos, strict=True)))
    assert all(label is not None and len(label) <= 64 for label in labels)
    with pytest.raises(DomainError):
        specs.check_fit(declared, [(labels[0], combos[0]), ("again", combos[0])])


@given(spec_list, value)
def test_an_undeclared_value_or_a_missing_one_never_fits(raw, stranger) -> None:
    declared = _declared(raw)
    first = [s["values"][0] for s in declared]
    if stranger not in declared[0]["values"]:
        with pytest.raises(DomainError):
            specs.check_fit(declared, [("x", [stranger, *first[1:]])])
    with pytest.raises(DomainError):
        specs.check_fit(declared, [("x", first[:-1])])
    with pytest.raises(DomainError):
        specs.check_fit([], [("x", first)])


def test_names_are_given_or_derived() -> None:
    assert specs.derived_name("大号", ["红", "L"]) == "大号"
    assert specs.derived_name(None, ["红", "L"]) == "红 / L"
    assert specs.derived_name(None, []) is None
    with pytest.raises(DomainError):
        specs.spec_dicts([{"name": "颜色", "values": ["红"]}, {"name": "颜色", "values": ["蓝"]}])
