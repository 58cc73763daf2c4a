"""Members' port: what other domains do when a member's tier changes or a benefit is granted.

- `tier_changed`: `async tier_changed(tx, change)` in the transaction that changed the tier (a
  payment raising it, the edge job moving it either way), after the member row is updated.
- `benefit_granted`: `async benefit_granted(tx, grant)` in the grant's transaction, after the
  benefit was given through its engine (a voucher copy, a member-day red packet).
Anything outside PostgreSQL goes in `tx.after_commit`. Filled in `livecommerce/wiring.py`;
members imports none of the domains that plug in here (outreach tells the member).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from livecommerce.infra.db import Tx


@dataclass(frozen=True, slots=True)
class TierChange:
    host_id: int
    user_id: int
    member_id: int
    old_code: str  # '' no tier
    new_code: str
    new_name: str


@dataclass(frozen=True, slots=True)
class BenefitGrant:
    host_id: int
    user_id: int
    member_id: int
    benefit_id: int
    kind: str  # voucher | red_packet
    tier_code: str
    period: str  # '2026-12' (a month's voucher), '2026-12-08' (a member day)
    amount: int | None  # a red packet's fen


TierChanged = Callable[[Tx, TierChange], Awaitable[None]]
BenefitGranted = Callable[[Tx, BenefitGrant], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class MemberHooks:
    tier_changed: tuple[TierChanged, ...] = ()
    benefit_granted: tuple[BenefitGranted, ...] = ()
