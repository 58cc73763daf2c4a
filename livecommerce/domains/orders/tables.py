from __future__ import annotations

from piccolo.columns import (
    JSONB,
    Array,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.catalog.tables import Product, Sku


class Order(Table, tablename="orders"):
    id = Serial(primary_key=True)
    buyer = ForeignKey(User, null=False, index=True, db_column_name="buyer_id")
    host = ForeignKey(User, null=False, index=True, db_column_name="host_id")
    status = Varchar(length=20, default="pending_payment", index=True)
    # Status to return to when a partial refund is decided.
    status_before_refund = Varchar(length=20, null=True, default=None)
    total_amount = BigInt()  # fen, before discount
    discount_amount = BigInt(default=0)
    pay_amount = BigInt()  # what the buyer pays: total - discount
    refunded_amount = BigInt(default=0)
    # Member points spent on the order and the fen they took off (part of discount_amount).
    points_used = BigInt(default=0)
    points_discount = BigInt(default=0)
    payment_method = Varchar(length=16, null=True, default=None)
    # Live-room attribution: which room and session the buyer was in.
    room_id = Integer(null=True, default=None, index=True)
    session_id = Integer(null=True, default=None)
    # The buyer's claimed copy (user_coupons.id, `userCouponId` on the wire), not coupons.id.
    coupon_id = Integer(null=True, default=None)
    # Distribution: the distributor chain and rates at placement (filled by the distribution
    # domain).
    attribution = JSONB(null=True, default=None)
    address = JSONB(null=True, default=None)
    note = Text(default="")
    payment_deadline = Timestamptz()
    paid_at = Timestamptz(null=True, default=None)
    shipped_at = Timestamptz(null=True, default=None)
    tracking_no = Varchar(length=64, null=True, default=None)
    # The carrier's code (orders/schemas.py Carrier: SF, ZTO, YTO, YD, JD, EMS, other); null on
    # orders shipped before carriers were asked for.
    carrier = Varchar(length=8, null=True, default=None)
    received_at = Timestamptz(null=True, default=None)
    after_sales_until = Timestamptz(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Varchar(length=32, null=True, default=None)
    # A marketing tool that holds the paid order back ('group_buy': its group is still forming):
    # it neither ships nor takes an after-sales request until released.
    held_by = Varchar(length=16, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    status_known = Check(
        "status IN ('pending_payment', 'paid', 'shipped', 'received', 'completed', 'cancelled',"
        " 'refunding', 'refunded')"
    )
    amounts_consistent = Check(
        "pay_amount = total_amount - discount_amount AND pay_amount >= 0 AND refunded_amount >= 0"
        " AND refunded_amount <= pay_amount"
    )


class OrderItem(Table, tablename="order_items"):
    id = Serial(primary_key=True)
    order = ForeignKey(Order, null=False, index=True, db_column_name="order_id")
    product = ForeignKey(Product, null=False, db_column_name="product_id")
    sku = ForeignKey(Sku, null=False, db_column_name="sku_id")
    title = Varchar(length=120)
    sku_name = Varchar(length=64)
    # The picture at placement (the SKU's own, else the product's first): /media/… or https.
    image_url = Text(null=True, default=None)
    unit_price = BigInt()
    quantity = Integer()
    amount = BigInt()  # unit_price * quantity
    discount = BigInt(default=0)  # this item's share of the order discount
    paid_amount = BigInt()  # amount - discount: what commissions and refunds are computed on
    refunded_amount = BigInt(default=0)
    # Its units were set aside out of the SKU's stock beforehand (a flash sale's reservation):
    # restocking skips it, the reservation takes them back (its cancelled/refunded reactions).
    stock_reserved = Boolean(default=False)

    quantity_positive = Check("quantity > 0")
    item_amounts_consistent = Check(
        "paid_amount = amount - discount AND refunded_amount <= paid_amount"
    )


class Refund(Table, tablename="refunds"):
    id = Serial(primary_key=True)
    order = ForeignKey(Order, null=False, index=True, db_column_name="order_id")
    amount = BigInt()
    reason = Text(default="")
    status = Varchar(length=16, default="requested")
    # What the buyer asked for when the host approved less (`amount` is then what was refunded);
    # null: `amount` is what was asked.
    requested_amount = BigInt(null=True, default=None)
    # The host's (or admin's) reason for the decision, shown to the buyer.
    decision_reason = Text(default="")
    # How the amount was spread over the items: {"item_id": fen}.
    allocation = JSONB(default="{}")
    # The buyer's after-sales form: the reason picked from the list (orders/schemas.py
    # RefundReason; "" for requests made before the list), the units asked back per item
    # ({"item_id": units}; {} when not said) and up to 3 photos (their /media/ URLs).
    reason_code = Varchar(length=32, default="")
    quantities = JSONB(default="{}")
    photos = Array(base_column=Text(), default=list)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(User, null=True, default=None, db_column_name="decided_by_id")

    status_known = Check("status IN ('requested', 'approved', 'rejected')")
    amount_positive = Check("amount > 0")


class Escalation(Table, tablename="order_escalations"):
    """The buyer takes an after-sales matter to the platform (投诉/申请平台介入): after the host
    rejected a refund, or within the after-sales window. One open per order (a partial unique
    index); an operator grants it (a refund, orders/disputes.py or an admin refund) or dismisses
    it with a reason the buyer sees."""

    id = Serial(primary_key=True)
    order = ForeignKey(Order, null=False, index=True, db_column_name="order_id")
    buyer = ForeignKey(User, null=False, db_column_name="buyer_id")
    # The host's rejected refund it contests (null: none, a complaint within the window).
    refund = ForeignKey(Refund, null=True, default=None, db_column_name="refund_id")
    reason = Text(default="")
    status = Varchar(length=10, default="open")
    decision_reason = Text(default="")  # the operator's, shown to the buyer
    # The refund that granted it (an operator's refund).
    granted_refund = ForeignKey(Refund, null=True, default=None, db_column_name="granted_refund_id")
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(User, null=True, default=None, db_column_name="decided_by_id")

    status_known = Check("status IN ('open', 'granted', 'dismissed')")


class IdempotencyKey(Table, tablename="idempotency_keys"):
    """The first response to a request made with an `Idempotency-Key`, replayed to retries."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, db_column_name="user_id")
    key = Varchar(length=128)
    request_hash = Varchar(length=64)
    response_status = Integer(null=True, default=None)
    response_body = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()

    one_per_user_key = Unique(["user_id", "key"])
