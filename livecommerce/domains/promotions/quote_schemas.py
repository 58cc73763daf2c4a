"""The wire format of a checkout quote (POST /api/checkout/quote)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from livecommerce.infra.schema import In, Out


class QuoteLine(In, frozen=True):
    sku_id: int
    quantity: Annotated[int, msgspec.Meta(ge=1, le=999)]


class QuoteRequest(In, frozen=True):
    """`userCouponId`: the buyer's claimed copy (GET /api/me/coupons `id`), as PlaceOrder takes
    it; not the coupon's `couponId`."""

    # The same limits as an order's items, so whatever can be quoted can be placed.
    items: Annotated[list[QuoteLine], msgspec.Meta(min_length=1, max_length=50)]
    # The buyer's claimed copy (UserCoupon id) to price the order with; omitted: none.
    user_coupon_id: int | None = None


class QuotedCoupon(Out):
    """One of the buyer's copies: `userCouponId` is the copy (what PlaceOrder takes), `couponId`
    the coupon it is of."""

    user_coupon_id: int
    coupon_id: int
    title: str
    # What this copy would take off these items (0 when it is not applicable).
    discount_amount: int
    applicable: bool
    # Why not, when not applicable: coupon_not_yet_valid | coupon_not_applicable |
    # coupon_threshold_not_met (the error codes placing the order would answer).
    reason: str | None = None


class QuoteOut(Out):
    total_amount: int
    discount_amount: int
    pay_amount: int
    # The copy applied (the one asked for, when it applies), else null.
    user_coupon_id: int | None
    # The buyer's available, unexpired copies of this host's coupons, soonest to expire first.
    coupons: list[QuotedCoupon]
    # The applicable copy with the largest discount (null if none takes anything off).
    best_user_coupon_id: int | None
