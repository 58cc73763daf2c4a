"""When a commission is expected to reach the wallet, from its status and its order's (pure).

A commission settles once its order completes (receipt plus the after-sales window with no
open refund) and the next batch runs (settlement.py): so before receipt there is no date yet,
after it the date is the end of the window the order carries (`after_sales_until`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

SettleRule = Literal[
    "settled",  # in the wallet since `at`
    "reversed",  # refunds took all of it: nothing will settle
    "next_batch",  # due since `at`: the next settlement batch pays it (minutes)
    "refund_open",  # a refund request holds the order; `at`: the window's end if known
    "after_sales",  # received: settles when the after-sales window closes at `at`
    "after_receipt",  # not received yet: the window starts when the buyer confirms receipt
]


def expected_settlement(
    status: str,
    *,
    order_status: str,
    after_sales_until: datetime | None,
    due_at: datetime | None,
    settled_at: datetime | None,
) -> tuple[SettleRule, datetime | None]:
    if status == "settled":
        return "settled", settled_at
    if status == "reversed" or order_status in ("refunded", "cancelled"):
        return "reversed", None
    if status == "due":
        return "next_batch", due_at
    if order_status == "refunding":
        return "refund_open", after_sales_until
    if after_sales_until is not None:
        return "after_sales", after_sales_until
    return "after_receipt", None
