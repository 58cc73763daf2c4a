"""Host payouts: where a host's takings go (payout methods) and each withdrawal of them."""

from __future__ import annotations

from piccolo.columns import BigInt, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User


class PayoutMethod(Table, tablename="payout_methods"):
    """An account a host is paid out to (支付宝 or a bank card). Answers show it masked; removing
    one keeps the row (deleted_at) so the payouts that went there still say where."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, index=True, db_column_name="host_id")
    kind = Varchar(length=8)  # alipay | bank
    account_name = Varchar(length=64)  # the holder's name (户名)
    account_no = Varchar(length=64)  # an Alipay login (phone or e-mail) or a card number
    bank_name = Varchar(length=64, default="")  # cards only (开户行)
    created_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)

    kind_known = Check("kind IN ('alipay', 'bank')")


class Payout(Table, tablename="payouts"):
    """A host takes settled takings out: held while an admin reviews it, then paid out through
    the provider (minus the fee) or released back to the receivable."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, index=True, db_column_name="host_id")
    method = ForeignKey(PayoutMethod, null=False, db_column_name="method_id")
    amount = BigInt()
    fee = BigInt(default=0)
    status = Varchar(length=10, default="pending")
    # The method as it was asked for, masked ("支付宝 138****5678 · 张*"): the history keeps it.
    destination = Varchar(length=120, default="")
    provider = Varchar(length=16, default="sandbox")
    provider_ref = Varchar(length=64, null=True, default=None)
    note = Varchar(length=200, default="")
    decision_reason = Text(default="")  # an admin's reason for a rejection, shown to the host
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(User, null=True, default=None, db_column_name="decided_by_id")

    status_known = Check("status IN ('pending', 'paid', 'rejected')")
    amounts_positive = Check("amount > 0 AND fee >= 0 AND fee < amount")


TABLES = (PayoutMethod, Payout)
