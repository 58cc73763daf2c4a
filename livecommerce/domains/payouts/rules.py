"""Pure payout rules: what a payout account looks like, how it is shown, what a payout costs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from livecommerce.infra.errors import DomainError, ErrorCode

BP = 10_000
KIND_LABEL = {"alipay": "支付宝", "bank": "银行卡"}
# An Alipay login is a mainland mobile number or an e-mail address.
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
# UnionPay debit cards: 16 to 19 digits; some older cards 12 to 15.
_CARD = re.compile(r"^\d{12,19}$")


@dataclass(frozen=True, slots=True)
class Account:
    kind: str
    account_name: str
    account_no: str
    bank_name: str


def _invalid(field: str, detail: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, detail=detail, field=field)


def normalized(kind: str, account_name: str, account_no: str, bank_name: str) -> Account:
    """The account as stored (spaces taken out of numbers, names trimmed), or 400 naming the
    field that is wrong."""
    name = " ".join(account_name.split())
    if not 1 <= len(name) <= 64:
        raise _invalid("accountName", "the account holder's name is 1 to 64 characters")
    number = "".join(account_no.split())
    bank = " ".join(bank_name.split())
    if kind == "alipay":
        if not (_PHONE.match(number) or (len(number) <= 64 and _EMAIL.match(number))):
            raise _invalid("accountNo", "an Alipay account is a mobile number or an e-mail")
        if bank:
            raise _invalid("bankName", "an Alipay account has no bank")
    elif kind == "bank":
        if not _CARD.match(number):
            raise _invalid("accountNo", "a card number is 12 to 19 digits")
        if not 2 <= len(bank) <= 64:
            raise _invalid("bankName", "the bank's name is 2 to 64 characters")
    else:
        raise _invalid("kind", f"unknown payout method {kind!r}")
    return Account(kind=kind, account_name=name, account_no=number, bank_name=bank)


def mask_number(kind: str, number: str) -> str:
    """Enough to recognise an account, never enough to use it: 138****5678, ab***@mail.com,
    **** 1234."""
    if kind == "bank":
        return f"**** {number[-4:]}"
    if "@" in number:
        local, _, domain = number.partition("@")
        return f"{local[:2]}***@{domain}"
    return f"{number[:3]}****{number[-4:]}"


def mask_holder(name: str) -> str:
    """张三丰 -> 张**, Li Lei -> L**."""
    return name[:1] + "**"


def destination(kind: str, account_name: str, account_no: str, bank_name: str = "") -> str:
    """How a payout's history names where it went: 支付宝 138****5678 · 张**."""
    label = bank_name if kind == "bank" and bank_name else KIND_LABEL.get(kind, kind)
    return f"{label} {mask_number(kind, account_no)} · {mask_holder(account_name)}"[:120]


def payout_fee(amount: int, fee_bp: int) -> int:
    """The fee of a payout, floored to the fen, always less than the amount (so something is paid
    out)."""
    if amount <= 0:
        raise ValueError("a payout is positive")
    return min(amount * fee_bp // BP, amount - 1)
