"""Pure group-buy rules: the terms a host may set, and whether a buyer may join a group."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from livecommerce.infra.errors import DomainError, ErrorCode

MIN_SIZE, MAX_SIZE = 2, 50
MIN_HOURS, MAX_HOURS = 1, 72


class GroupStatus(StrEnum):
    PENDING = "pending"  # opened, the leader has not paid: not joinable, not shown
    OPEN = "open"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ABANDONED = "abandoned"  # the leader's order was cancelled unpaid


class MemberStatus(StrEnum):
    PENDING = "pending"  # the order is not paid: it holds no seat
    SEATED = "seated"
    SUCCEEDED = "succeeded"
    RELEASED = "released"  # the unpaid order was cancelled
    REFUNDED = "refunded"  # the group failed: the order was refunded


def _invalid(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.GROUP_BUY_INVALID, detail=detail, field=field)


def check_terms(
    group_size: int, hours: int, prices: dict[int, int], list_prices: dict[int, int]
) -> None:
    """A host's terms: N of 2–50 people within 1–72 hours, a group price for at least one SKU of
    the product, each whole fen, at least 1 and below the SKU's own price (单独购买)."""
    if not MIN_SIZE <= group_size <= MAX_SIZE:
        raise _invalid(f"a group is {MIN_SIZE} to {MAX_SIZE} people", "groupSize")
    if not MIN_HOURS <= hours <= MAX_HOURS:
        raise _invalid(f"a group has {MIN_HOURS} to {MAX_HOURS} hours to fill", "hours")
    if not prices:
        raise _invalid("give a group price for at least one SKU", "prices")
    for sku_id, price in prices.items():
        if sku_id not in list_prices:
            raise _invalid(f"SKU {sku_id} is not this product's", "prices")
        if not 1 <= price < list_prices[sku_id]:
            raise _invalid(
                f"the group price of SKU {sku_id} must be at least 1 fen and below its price"
                f" ({list_prices[sku_id]} fen)",
                "prices",
            )


def join_refusal(
    *,
    status: str,
    leader_id: int,
    buyer_id: int,
    paid_count: int,
    group_size: int,
    expires_at: datetime | None,
    now: datetime,
) -> DomainError | None:
    """Why `buyer_id` may not join this group now, or None. Placing the order holds no seat: the
    payment decides (a group full by then makes the payer the leader of a new one)."""
    if buyer_id == leader_id:
        return DomainError(ErrorCode.GROUP_BUY_OWN, detail="this is your own group; share it")
    if status == GroupStatus.SUCCEEDED or (status == GroupStatus.OPEN and paid_count >= group_size):
        return DomainError(ErrorCode.GROUP_BUY_FULL, detail="this group is full (已成团)")
    if status == GroupStatus.OPEN and expires_at is not None and expires_at > now:
        return None
    if status == GroupStatus.PENDING:
        return DomainError(
            ErrorCode.GROUP_BUY_UNAVAILABLE, detail="this group is not open yet", groupStatus=status
        )
    return DomainError(
        ErrorCode.GROUP_BUY_EXPIRED, detail="this group is over (拼团已结束)", groupStatus=status
    )


def seats_left(group_size: int, paid_count: int) -> int:
    return max(group_size - paid_count, 0)
