from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.domains.accounts.schemas import District, Phone, RecipientName
from livecommerce.infra.schema import In, Out


class OrderLine(In, frozen=True):
    sku_id: int
    quantity: Annotated[int, msgspec.Meta(ge=1, le=999)]


class Address(In, frozen=True):
    """An address typed for this order only (not kept in the book): the region and street as
    parts, or all of it in `line` (one of `detail` or `line` is required)."""

    name: RecipientName
    phone: Phone
    line: Annotated[str, msgspec.Meta(max_length=300)] = ""
    province: District = ""
    city: District = ""
    district: District = ""
    detail: Annotated[str, msgspec.Meta(max_length=200)] = ""


class PlaceOrder(In, frozen=True):
    """Every product is shipped (there are no virtual goods yet), so an order needs an address:
    `addressId`, an entry of the buyer's own book (GET /api/me/addresses; someone else's is
    404), or `address` typed inline; one of them, not both (422 `address_required` without).
    The order keeps a copy: editing the book later doesn't change it.

    `userCouponId` is the buyer's claimed copy to pay with: the `id` of an entry of
    GET /api/me/coupons (the claim's reply), not its `couponId`, which names the coupon every
    claimer shares. Unknown fields are refused, `couponId` among them, so a client still
    sending the old name gets a 400 instead of paying the full price.

    `points`: the host's member points to spend (GET /api/me/points?hostId=&amount= says how many
    may be and what they take off), after the member price and the coupon; 409
    points_insufficient beyond the available ones, points_over_cap beyond the host's cap."""

    items: Annotated[list[OrderLine], msgspec.Meta(min_length=1, max_length=50)]
    room_id: int | None = None
    session_id: int | None = None
    user_coupon_id: int | None = None
    address: Address | None = None
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""
    address_id: int | None = None
    points: Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)] = 0


class PayOrder(In, frozen=True):
    method: Literal["gateway", "wallet"] = "gateway"
    provider: Literal["sandbox"] = "sandbox"


# Carriers a host ships with (the desk's fixed list): 顺丰, 中通, 圆通, 韵达, 京东, EMS, other.
Carrier = Literal["SF", "ZTO", "YTO", "YD", "JD", "EMS", "other"]
# A waybill number as carriers print them: letters, digits and dashes.
TrackingNo = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


class ShipOrder(In, frozen=True):
    tracking_no: TrackingNo
    # Omitted: not said (orders shipped through the API before carriers were asked for).
    carrier: Carrier | None = None


# Why the buyer asks (the after-sales form's list): not as described, quality problem, arrived
# damaged, wrong item, parts missing, never arrived, no longer needed, something else.
RefundReason = Literal[
    "not_as_described",
    "quality",
    "damaged",
    "wrong_item",
    "missing_parts",
    "not_received",
    "no_longer_needed",
    "other",
]
# A picture the buyer uploaded (POST /api/uploads/images): one of ours, theirs.
PhotoUrl = Annotated[
    str, msgspec.Meta(max_length=80, pattern=r"^/media/img/[0-9a-f]{2}/[0-9a-f]{32}\.webp$")
]


class RefundLine(In, frozen=True):
    item_id: int
    # Units asked back; the item's share is at most its paid amount per unit times this.
    quantity: Annotated[int, msgspec.Meta(ge=1, le=999)]


class RequestRefund(In, frozen=True):
    """An after-sales request: a reason (`reasonCode` from the list, and/or words in `reason`),
    what is asked back (`items` with quantities, or one `itemId`, or omitted: everything left),
    an `amount` (omitted: all the chosen items can still give back) and up to 3 photos."""

    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""
    # Omitted: everything not yet refunded.
    amount: Annotated[int, msgspec.Meta(ge=1)] | None = None
    # Refund one item only (a partial refund); omitted: spread over the items in proportion.
    item_id: int | None = None
    reason_code: RefundReason | None = None
    items: Annotated[list[RefundLine], msgspec.Meta(max_length=50)] = []
    photos: Annotated[list[PhotoUrl], msgspec.Meta(max_length=3)] = []


class ApproveRefund(In, frozen=True):
    # Less than asked (a partial refund agreed with the buyer) needs a reason; omitted: all of it.
    amount: Annotated[int, msgspec.Meta(ge=1, le=100_000_000_000)] | None = None
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class RejectRefund(In, frozen=True):
    # Shown to the buyer with the refund.
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class CancelOrder(In, frozen=True):
    reason: Annotated[str, msgspec.Meta(max_length=32)] = "buyer"


class OrderItemOut(Out):
    id: int
    product_id: int
    sku_id: int
    title: str
    sku_name: str
    unit_price: int
    quantity: int
    amount: int
    discount: int
    paid_amount: int
    refunded_amount: int
    # The picture when the order was placed (the SKU's own, else the product's first), and its
    # thumbnail; None for items placed without one.
    image_url: str | None = None
    thumb_url: str | None = None


class RefundOut(Out):
    id: int
    order_id: int
    amount: int
    reason: str
    status: str
    allocation: dict[str, int]
    created_at: datetime
    decided_at: datetime | None
    # What the buyer asked for (differs from `amount` when the host approved less).
    requested_amount: int = 0
    # The host's reason for approving less or for rejecting, shown to the buyer.
    decision_reason: str = ""
    # From the buyer's after-sales form: the reason picked (RefundReason; "" when not said),
    # the units asked back per item ({"item_id": units}) and the photos with their thumbnails.
    reason_code: str = ""
    quantities: dict[str, int] = {}
    photos: list[str] = []
    photo_thumbs: list[str] = []


class AddressOnOrder(Out):
    """The address the order ships to, copied when it was placed (the book's entry may have
    changed or gone since). `line` is all of it in one line."""

    name: str
    phone: str
    line: str
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""
    # The book entry it was copied from (None: typed for this order).
    address_id: int | None = None


class OrderOut(Out):
    """An order. `userCouponId` is the buyer's claimed copy it was placed with (GET
    /api/me/coupons `id`) and `couponId` the coupon that copy is of (null: none)."""

    id: int
    status: str
    buyer_id: int
    host_id: int
    total_amount: int
    discount_amount: int
    pay_amount: int
    refunded_amount: int
    payment_method: str | None
    room_id: int | None
    session_id: int | None
    user_coupon_id: int | None
    coupon_id: int | None
    note: str
    payment_deadline: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    tracking_no: str | None
    received_at: datetime | None
    after_sales_until: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    created_at: datetime
    items: list[OrderItemOut]
    refunds: list[RefundOut]
    carrier: str | None = None  # with trackingNo: orders/schemas.py Carrier
    # Where it ships (None only for orders placed before addresses were required).
    address: AddressOnOrder | None = None
    # Member points spent on it, and the fen they took off (included in discountAmount).
    points_used: int = 0
    points_discount: int = 0
    # 'group_buy' while its group is forming (拼团中): it doesn't ship until the group succeeds.
    held_by: str | None = None


class RefundRequested(OrderOut, kw_only=True):
    """The answer to an after-sales request: the order as it is now, and `refund`, the refund
    it opened (with its `id`, to follow or to answer; it is in `refunds` too)."""

    # Always there (kw_only: required after OrderOut's defaulted fields), so a client's schema
    # doesn't make it optional.
    refund: RefundOut


class PaymentOut(Out):
    payment_id: int
    status: str
    amount: int
    provider: str
    # Where to send the buyer to pay (a gateway page), an absolute URL (the sandbox's page is
    # under PUBLIC_URL); empty when paid from the wallet.
    pay_url: str
    order: OrderOut


class OrderPage(Out):
    items: list[OrderOut]
    next_cursor: int | None = None
