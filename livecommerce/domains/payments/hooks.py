"""The payment's port: what a succeeded payment does, by its purpose (`order`, `topup`).

Filled in `livecommerce/wiring.py`. The handler runs in the confirming transaction, under the
payment's row lock, so a callback delivered twice runs it once. Payments imports neither
orders nor the wallet: they plug in here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from asyncpg import Record

from livecommerce.infra.db import Tx

Succeeded = Callable[[Tx, Record], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PaymentHooks:
    succeeded: Mapping[str, Succeeded] = field(default_factory=dict)
