"""The payment's port: what a succeeded payment does, by its purpose (`order`, `topup`).

Filled in `livecommerce/wiring.py`. The handler runs in the confirming transaction, under the
payment's row lock, so a callback delivered twice runs it once. Payments imports neither
orders nor the wallet: they plug in here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from asyncpg import Connection, Record

from livecommerce.infra.db import Tx

# (tx, payment): the payment just succeeded; do what it was for.
Succeeded = Callable[[Tx, Record], Awaitable[None]]
# (conn, payment not yet locked): lock the row the payment is for, before the payment's own row.
LockFirst = Callable[[Connection, Record], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PaymentHooks:
    """By payment purpose (`order`, `topup`)."""

    succeeded: Mapping[str, Succeeded] = field(default_factory=dict)
    lock_first: Mapping[str, LockFirst] = field(default_factory=dict)
