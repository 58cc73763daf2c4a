from __future__ import annotations

from piccolo.columns import BigInt, ForeignKey, LazyTableReference, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User


class Payment(Table, tablename="payments"):
    """Money coming in from a provider (or the wallet) for an order or a wallet top-up."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, index=True, db_column_name="user_id")
    # Named lazily: payments sits below orders and never imports its tables (so it is typed as
    # any Table here).
    order: ForeignKey[Table] = ForeignKey(
        LazyTableReference("Order", app_name="livecommerce"),
        null=True,
        default=None,
        index=True,
        db_column_name="order_id",
    )
    purpose = Varchar(length=16)  # order | topup
    provider = Varchar(length=16)  # sandbox | wallet | ...
    amount = BigInt()
    status = Varchar(length=16, default="pending")
    provider_ref = Varchar(length=64, null=True, default=None)
    refunded_amount = BigInt(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    paid_at = Timestamptz(null=True, default=None)

    status_known = Check("status IN ('pending', 'succeeded', 'closed')")
    purpose_known = Check("purpose IN ('order', 'topup')")
    amount_positive = Check("amount > 0")
    provider_ref_once = Unique(["provider", "provider_ref"])


class PaymentEvent(Table, tablename="payment_events"):
    """Every callback received, accepted or not: the audit trail of what the gateway told us."""

    id = Serial(primary_key=True)
    provider = Varchar(length=16)
    payment_id = BigInt(null=True, default=None)
    outcome = Varchar(
        length=24
    )  # applied | duplicate | bad_signature | amount_mismatch | unknown_payment
    detail = Varchar(length=300, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class SandboxCharge(Table, tablename="sandbox_charges"):
    """The sandbox gateway's own books (the "remote side"), so reconciliation can query it."""

    id = Serial(primary_key=True)
    payment_id = BigInt(unique=True)
    amount = BigInt()
    refunded = BigInt(default=0)
    status = Varchar(length=16, default="succeeded")
    created_at = Timestamptz(default=TimestamptzNow())


class SandboxPayout(Table, tablename="sandbox_payouts"):
    """The sandbox gateway's record of money sent out (withdrawals, host payouts): one row per
    payout key, so a payout asked for twice is sent once."""

    id = Serial(primary_key=True)
    key = Varchar(length=64, unique=True)
    amount = BigInt()
    # Where it went, masked ("alipay 138****5678"): the sandbox keeps no account numbers.
    destination = Varchar(length=120, default="")
    created_at = Timestamptz(default=TimestamptzNow())

    amount_positive = Check("amount > 0")
