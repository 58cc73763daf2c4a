from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.infra.schema import In, Out


class OrderLine(In, frozen=True):
    sku_id: int
    quantity: Annotated[int, msgspec.Meta(ge=1, le=999)]


class Address(In, frozen=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    phone: Annotated[str, msgspec.Meta(min_length=3, max_length=32)]
    line: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class PlaceOrder(In, frozen=True):
    items: Annotated[list[OrderLine], msgspec.Meta(min_length=1, max_length=50)]
    room_id: int | None = None
    session_id: int | None = None
    coupon_id: int | None = None
    address: Address | None = None
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class PayOrder(In, frozen=True):
    method: Literal["gateway", "wallet"] = "gateway"
    provider: Literal["sandbox"] = "sandbox"


class ShipOrder(In, frozen=True):
    tracking_no: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class RequestRefund(In, frozen=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    # Omitted: everything not yet refunded.
    amount: Annotated[int, msgspec.Meta(ge=1)] | None = None
    # Refund one item only (a partial refund); omitted: spread over the items in proportion.
    item_id: int | None = None


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


class RefundOut(Out):
    id: int
    order_id: int
    amount: int
    reason: str
    status: str
    allocation: dict[str, int]
    created_at: datetime
    decided_at: datetime | None


class OrderOut(Out):
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


class PaymentOut(Out):
    payment_id: int
    status: str
    amount: int
    provider: str
    # Where to send the buyer to pay (a gateway page); empty when paid from the wallet.
    pay_url: str
    order: OrderOut


class OrderPage(Out):
    items: list[OrderOut]
    next_cursor: int | None = None
