"""Small text helpers shared by the domains (pure, no domain imports)."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """ "张三丰" -> "张**", "bob" -> "b**", "" -> "**": enough to recognise an order (a room's
    ticker, a distributor's commissions), not a person."""
    return name[:1] + "**"
