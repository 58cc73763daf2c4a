"""Specs (规格): the dimensions a product's SKUs vary by. Pure rules, no I/O.

A product declares its specs with their values (颜色: 红, 蓝; 尺码: S, M). Each SKU then names
one value of every spec, in the specs' order, and no two SKUs name the same combination; a
SKU's name, when none is given, is its values joined ("红 / M"). A product without specs has
SKUs with names and no values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from livecommerce.infra.errors import DomainError, ErrorCode

SEPARATOR = " / "


def _invalid(detail: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, detail=detail)


def spec_dicts(specs: Sequence[Any]) -> list[dict[str, Any]]:
    """Specs as stored (JSONB): [{"name": …, "values": [...]}], checked: names unique, and the
    values of each spec unique."""
    found: list[dict[str, Any]] = []
    for spec in specs:
        name, values = (
            (spec["name"], spec["values"]) if isinstance(spec, dict) else (spec.name, spec.values)
        )
        if any(name == other["name"] for other in found):
            raise _invalid(f"spec {name!r} is declared twice")
        if len(set(values)) != len(values):
            raise _invalid(f"spec {name!r} lists a value twice")
        found.append({"name": name, "values": list(values)})
    return found


def derived_name(name: str | None, spec_values: Sequence[str]) -> str | None:
    """The SKU's name: the one given, else its spec values joined; None when it has neither."""
    if name:
        return name
    return SEPARATOR.join(spec_values) or None


def check_fit(specs: Sequence[dict[str, Any]], skus: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Every SKU (label, spec values) names one declared value of each spec, in order, and no
    combination twice; without specs, no SKU has values."""
    seen: dict[tuple[str, ...], str] = {}
    for label, values in skus:
        if len(values) != len(specs):
            expected = ", ".join(s["name"] for s in specs) or "none (the product has no specs)"
            raise _invalid(f"SKU {label!r} must name one value of each spec: {expected}")
        for spec, value in zip(specs, values, strict=True):
            if value not in spec["values"]:
                raise _invalid(f"SKU {label!r}: {value!r} is not a value of {spec['name']!r}")
        combination = tuple(values)
        if specs and combination in seen:
            raise _invalid(f"SKUs {seen[combination]!r} and {label!r} name the same spec values")
        seen[combination] = label
