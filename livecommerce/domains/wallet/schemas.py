from __future__ import annotations

from datetime import datetime

from livecommerce.infra.schema import Out


class WalletOut(Out):
    currency: str
    available: int  # fen
    held: int
    escrow: int  # hosts: takings of orders still in their after-sales window
    receivable: int  # hosts: settled takings


class EntryOut(Out):
    id: int
    account_kind: str
    amount: int
    balance_after: int | None
    kind: str
    business_key: str
    created_at: datetime
    # In words: a stable `category` a page translates (wallet/labels.py CATEGORIES: order_payment,
    # order_refund, topup, red_packet, commission, withdrawal, …), the order it concerns if any,
    # and an English `label` ("Order #12 payment").
    category: str = "other"
    order_id: int | None = None
    label: str = ""


class EntryPage(Out):
    items: list[EntryOut]
    next_cursor: int | None = None
