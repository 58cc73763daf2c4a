"""Outreach's port: the just-before-sending re-check of each journey.

Filled in `livecommerce/wiring.py` (the journeys live in this package, but who checks what is
said there, in one place). The delivery job calls `rechecks[journey](conn, message)` inside the
transaction that claims the delivery; False means the reason to send is gone (the buyer bought
again, the session ended) and the delivery is skipped with `no_longer_true`. A journey with no
re-check is always still true.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from asyncpg import Connection, Record

# (conn, outreach_messages row) -> is the message still worth sending?
Recheck = Callable[[Connection, Record], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class OutreachHooks:
    rechecks: dict[str, Recheck] = field(default_factory=dict)
