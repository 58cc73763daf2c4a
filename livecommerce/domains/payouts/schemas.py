from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.infra.schema import In, Out

MethodKind = Literal["alipay", "bank"]
PayoutStatus = Literal["pending", "paid", "rejected"]


class AddPayoutMethod(In, frozen=True):
    kind: MethodKind
    account_name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    # An Alipay login (mobile number or e-mail) or a card number; spaces are dropped.
    account_no: Annotated[str, msgspec.Meta(min_length=5, max_length=64)]
    bank_name: Annotated[str, msgspec.Meta(max_length=64)] = ""  # cards only


class PayoutMethodOut(Out):
    id: int
    kind: str
    account_name: str  # masked: 张**
    account_no: str  # masked: 138****5678, **** 1234
    bank_name: str
    label: str  # 支付宝 138****5678 · 张**
    created_at: datetime


class RequestPayout(In, frozen=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=100_000_000_000)]  # fen
    method_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class RejectPayout(In, frozen=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class PayoutOut(Out):
    id: int
    host_id: int
    method_id: int
    amount: int
    fee: int
    payout: int  # amount - fee: what reaches the account
    status: str
    destination: str
    provider_ref: str | None
    note: str
    decision_reason: str
    created_at: datetime
    decided_at: datetime | None


class PayoutPage(Out):
    items: list[PayoutOut]
    next_cursor: int | None = None


class PayoutSummary(Out):
    available: int  # fen: settled takings (the receivable) that may be withdrawn
    held: int  # held by pending payouts
    escrow: int  # takings of orders still in their after-sales window
    paid_out: int  # paid out so far (before fees)
    pending: int  # payouts waiting for review
    minimum: int  # the least one payout may be
    fee_bp: int
