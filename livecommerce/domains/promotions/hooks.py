"""Promotions' port: what other domains do when a coupon is claimed.

- `claimed`: `async claimed(tx, coupon, user_id)` runs in the claim's transaction, after the
  copy is written (`coupon` is the coupons row). Anything outside PostgreSQL goes in
  `tx.after_commit`.

Filled in `livecommerce/wiring.py`; promotions imports none of the domains that plug in here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from asyncpg import Connection, Record

from livecommerce.infra.db import Tx

Claimed = Callable[[Tx, Record, int], Awaitable[None]]
# (conn, host id, buyer id, {SKU id: unit price}) -> {SKU id: unit price the buyer pays}: members'
# tier prices, asked by the checkout quote so it prices as the placed order's hooks will.
UnitPrices = Callable[[Connection, int, int, dict[int, int]], Awaitable[dict[int, int]]]


@dataclass(frozen=True, slots=True)
class PromotionHooks:
    claimed: tuple[Claimed, ...] = ()
    unit_prices: tuple[UnitPrices, ...] = ()
