"""The double-entry ledger.

Entries are append-only (a trigger refuses UPDATE and DELETE) and the entries of one
transaction sum to zero (a deferred constraint trigger checks it at commit).
"""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User


class Account(Table, tablename="accounts"):
    """A balance: a user's wallet (available / held), a host's escrow and receivable,
    or a platform account."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=True, default=None, index=True, db_column_name="user_id")
    kind = Varchar(length=24)
    balance = BigInt(default=0)  # fen
    allow_negative = Boolean(default=False)
    # Platform-wide accounts every payment touches (gateway clearing, revenue) keep no running
    # balance: one hot row would serialize all payments. Their balance is the sum of their entries.
    derived_balance = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())

    one_per_owner_kind = Unique(["user_id", "kind"], nulls_distinct=False)
    never_negative = Check("allow_negative OR derived_balance OR balance >= 0")


class LedgerTransaction(Table, tablename="ledger_transactions"):
    id = Serial(primary_key=True)
    # `order:123:pay`: posting the same business event twice is a no-op.
    business_key = Varchar(length=120, unique=True)
    kind = Varchar(length=32)
    created_at = Timestamptz(default=TimestamptzNow())


class LedgerEntry(Table, tablename="ledger_entries"):
    id = Serial(primary_key=True)
    txn = ForeignKey(LedgerTransaction, null=False, index=True, db_column_name="txn_id")
    account = ForeignKey(Account, null=False, index=True, db_column_name="account_id")
    amount = BigInt()  # fen, signed: credit > 0, debit < 0
    balance_after = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    amount_not_zero = Check("amount <> 0")
