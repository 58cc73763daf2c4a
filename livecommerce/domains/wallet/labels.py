"""What a statement line is, in words: the ledger knows `payment` and `payment:12`; a person
reads "订单 #12 付款" / "Order #12 payment". Pure: the kind of the ledger transaction, its
business key and the account's side decide; the order a payment or refund belongs to is looked
up by the caller (wallet/services.py) from the ids these rules find in the key."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Stable words a page translates (static/js/i18n.js "wallet.entry.<category>").
CATEGORIES = (
    "order_payment",  # a buyer paid an order (from the wallet)
    "order_income",  # a host's escrow took an order's payment
    "order_refund",  # an order's money went back (to the buyer; out of the host's escrow)
    "order_settlement",  # after the after-sales window: escrow to the host's takings
    "topup",
    "red_packet",  # grabbed in a room
    "red_packet_sent",  # a host funded a red packet
    "red_packet_returned",  # what nobody grabbed, back to the host
    "commission",
    "commission_clawback",
    "commission_reversal",
    "withdrawal",  # held for a withdrawal
    "withdrawal_paid",
    "withdrawal_returned",
    "other",
)

_LABELS = {
    "order_payment": "Order #{order} payment",
    "order_income": "Order #{order} income",
    "order_refund": "Order #{order} refund",
    "order_settlement": "Order #{order} settled",
    "topup": "Top-up",
    "red_packet": "Red packet",
    "red_packet_sent": "Red packet sent",
    "red_packet_returned": "Red packet returned",
    "commission": "Commission",
    "commission_clawback": "Commission clawed back",
    "commission_reversal": "Commission returned",
    "withdrawal": "Withdrawal",
    "withdrawal_paid": "Withdrawal paid out",
    "withdrawal_returned": "Withdrawal returned",
    "other": "Other",
}

_SIMPLE = {
    "topup": "topup",
    "red_packet": "red_packet_sent",
    "red_packet_grab": "red_packet",
    "red_packet_refund": "red_packet_returned",
    "commission": "commission",
    "commission_clawback": "commission_clawback",
    "commission_reversal": "commission_reversal",
    "withdrawal_hold": "withdrawal",
    "withdrawal_payout": "withdrawal_paid",
    "withdrawal_release": "withdrawal_returned",
    "settlement": "order_settlement",
}

_ORDER_KEY = re.compile(r"^order:(\d+):")
_PAYMENT_KEY = re.compile(r"^(?:refund:)?payment:(\d+)(?::return)?$")
_REFUND_KEY = re.compile(r"^refund:(\d+)$")


@dataclass(frozen=True, slots=True)
class Described:
    category: str
    # The order when the key names it; else where to find it (a payment's or a refund's).
    order_id: int | None = None
    payment_id: int | None = None
    refund_id: int | None = None


def describe(kind: str, business_key: str, account_kind: str) -> Described:
    """The category of one entry, and the ids its key carries."""
    order = _ORDER_KEY.match(business_key)
    order_id = int(order.group(1)) if order else None
    payment = _PAYMENT_KEY.match(business_key)
    payment_id = int(payment.group(1)) if payment else None
    refund = _REFUND_KEY.match(business_key)
    refund_id = int(refund.group(1)) if refund else None
    if kind == "payment":
        category = "order_payment" if account_kind == "wallet" else "order_income"
    elif kind == "refund":
        category = "order_refund"
    elif kind == "red_packet_grab" and account_kind != "wallet":
        category = "red_packet_sent"  # the host's held money, grabbed by a viewer
    else:
        category = _SIMPLE.get(kind, "other")
    return Described(category, order_id, payment_id, refund_id)


def label(category: str, order_id: int | None) -> str:
    """The English words for an entry (pages translate the category instead)."""
    text = _LABELS.get(category, _LABELS["other"])
    if "{order}" in text and order_id is None:
        return text.replace(" #{order}", "")
    return text.replace("{order}", str(order_id))
