"""Pure distribution rules: the operator's settings and their laws, commission math, who a
buyer binds to, clawback splits. No I/O; tested with hypothesis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

from livecommerce.infra.errors import DomainError, ErrorCode

BP = 10_000
BasisPoints = Annotated[int, msgspec.Meta(ge=0, le=BP)]
BindingMode = Literal["first_touch", "last_touch", "register_only"]
ClawbackPolicy = Literal["allow_negative", "cap_at_balance", "carry_debt"]


class DistributionConfig(
    msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True, kw_only=True
):
    """The operator's distribution settings. Every field has a default: never set means these."""

    # null: the DISTRIBUTOR_SIGNUP environment setting (open | approval).
    signup: Literal["open", "approval"] | None = None
    levels: Annotated[int, msgspec.Meta(ge=1, le=3)] = 2
    level_rates_bp: Annotated[list[BasisPoints], msgspec.Meta(min_length=1, max_length=3)] = (
        msgspec.field(default_factory=lambda: [1000, 500])
    )
    # The sum of the level rates (platform's or a product's) may not pass this.
    rate_cap_bp: BasisPoints = 3000
    binding_mode: BindingMode = "first_touch"
    binding_expiry_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = 30  # null: permanent
    self_purchase_commission: bool = False
    clawback_policy: ClawbackPolicy = "carry_debt"
    withdrawal_min: Annotated[int, msgspec.Meta(ge=1, le=100_000_000)] = 100  # fen, at most ¥1M
    withdrawal_fee_bp: Annotated[int, msgspec.Meta(ge=0, lt=BP)] = 0


def _change_of(config: type[msgspec.Struct], name: str) -> type[msgspec.Struct]:
    """`config`'s fields, each absent unless given: a change names only what it changes, and
    null stays a value (`bindingExpiryDays: null` is "permanent"). Derived, so the two can't
    drift apart."""
    fields = [
        (field.name, field.type | msgspec.UnsetType, msgspec.UNSET)
        for field in msgspec.structs.fields(config)
    ]
    return msgspec.defstruct(
        name,
        fields,
        rename="camel",
        forbid_unknown_fields=True,
        frozen=True,
        kw_only=True,
        module=__name__,
    )


if TYPE_CHECKING:
    DistributionConfigChange = DistributionConfig
else:
    # The body of PUT /api/admin/settings, typed in the OpenAPI document.
    DistributionConfigChange = _change_of(DistributionConfig, "DistributionConfigChange")


def validate(config: DistributionConfig, *, platform_fee_bp: int = 0) -> DistributionConfig:
    """The laws msgspec can't state: one rate per level, the rates within the cap, and the cap
    within what the host keeps after the platform fee (commissions come out of the host's share,
    so a higher cap could make an order's settlement impossible). 422 otherwise."""
    if config.rate_cap_bp > BP - platform_fee_bp:
        raise DomainError(
            ErrorCode.INVALID_SETTINGS,
            detail=f"the cap of {config.rate_cap_bp} bp leaves the host less than nothing"
            f" after the {platform_fee_bp} bp platform fee",
            field="rateCapBp",
            max=BP - platform_fee_bp,
        )
    if len(config.level_rates_bp) != config.levels:
        raise DomainError(
            ErrorCode.INVALID_SETTINGS,
            detail=f"{config.levels} levels need {config.levels} level rates,"
            f" got {len(config.level_rates_bp)}",
            field="levelRatesBp",
        )
    ensure_within_cap(config.level_rates_bp, config.rate_cap_bp)
    return config


def ensure_within_cap(rates: list[int], cap: int) -> None:
    if sum(rates) > cap:
        raise DomainError(
            ErrorCode.COMMISSION_RATES_TOO_HIGH,
            detail=f"the level rates sum to {sum(rates)} bp, past the cap of {cap} bp",
            cap=cap,
            total=sum(rates),
        )


def rates_for(config: DistributionConfig, product_rates: list[int] | None) -> list[int]:
    """The rate per level for a product: its host's override if any, else the platform's;
    one per level."""
    rates = list(product_rates) if product_rates is not None else list(config.level_rates_bp)
    return (rates + [0] * config.levels)[: config.levels]


def commission(paid: int, rate_bp: int) -> int:
    """A commission on what was actually paid for an item, floored to the fen."""
    return paid * rate_bp // BP


def split(paid: int, rates: list[int]) -> list[int]:
    """The commission of each level on one item."""
    return [commission(paid, rate) for rate in rates]


def net(amount: int, reversed_amount: int) -> int:
    """What a commission (or a sum of them) is worth once its reversals are taken off."""
    return amount - reversed_amount


def reversed_total(amount: int, rate_bp: int, paid: int, refunded: int) -> int:
    """How much of a commission is reversed once `refunded` of the item's `paid` went back:
    what is kept is the commission on what the buyer kept, so reversals are pro rata, never exceed
    the commission, and a full refund reverses it all, whatever the order of partial refunds."""
    kept = min(amount, commission(max(paid - refunded, 0), rate_bp))
    return amount - kept


@dataclass(frozen=True)
class Binding:
    distributor_id: int
    expired: bool


def should_bind(
    mode: BindingMode,
    *,
    buyer_id: int,
    distributor_id: int,
    current: Binding | None,
    registering: bool,
) -> bool:
    """Whether a visit of `distributor_id`'s link binds the buyer (the history only ever grows).

    - self-referral never binds;
    - register_only binds only a buyer who registers through the link, and only once;
    - first_touch binds when the buyer has no live binding (none, or the last one expired);
    - last_touch binds whenever the distributor differs from the live one (or it expired).
    """
    if buyer_id == distributor_id:
        return False
    live = current is not None and not current.expired
    if mode == "register_only":
        return registering and current is None
    if mode == "first_touch":
        return not live
    return not live or current is None or current.distributor_id != distributor_id


def chain(start: int | None, parent_of: dict[int, int | None], levels: int) -> list[int]:
    """The distributors paid on an order: `start` and its ancestors, `levels` at most, stopping
    at a loop. Level n (1-based) is the n-th of the list."""
    found: list[int] = []
    node = start
    while node is not None and len(found) < levels and node not in found:
        found.append(node)
        node = parent_of.get(node)
    return found


def creates_loop(user_id: int, new_parent: int, parent_of: dict[int, int | None]) -> bool:
    """Would making `new_parent` the parent of `user_id` close a cycle (user_id is among its
    ancestors)?"""
    node: int | None = new_parent
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == user_id:
            return True
        seen.add(node)
        node = parent_of.get(node)
    return False


def clawback_split(policy: ClawbackPolicy, owed: int, wallet_balance: int) -> tuple[int, int, int]:
    """Split a clawback of a settled commission: (from the wallet, into debt, forgiven).

    allow_negative takes it all from the wallet (it may go below zero); cap_at_balance takes what
    the wallet holds and forgives the rest; carry_debt takes what it holds and books the rest as a
    debt repaid from future commissions."""
    available = max(wallet_balance, 0)
    if policy == "allow_negative":
        return owed, 0, 0
    taken = min(owed, available)
    if policy == "cap_at_balance":
        return taken, 0, owed - taken
    return taken, owed - taken, 0


def repayment_split(amount: int, debt: int) -> tuple[int, int]:
    """Split `amount` fen of newly settled commissions of a distributor who owes `debt` fen (>= 0):
    (repaid to the debt, paid into the wallet). The debt is repaid first."""
    repaid = min(max(debt, 0), amount)
    return repaid, amount - repaid


def withdrawal_fee(amount: int, fee_bp: int) -> int:
    return amount * fee_bp // BP
