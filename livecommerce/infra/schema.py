"""Base Structs for the wire format: camelCase JSON, unknown fields refused."""

from __future__ import annotations

import msgspec


class In(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    """A request body. Unknown fields are an error, so `role` or `balance` can't be smuggled in."""


class Out(msgspec.Struct, rename="camel"):
    """A response body."""


class Page(Out):
    items: list
    next_cursor: int | None = None
