"""The ledger: accounts and their double-entry postings, the bottom layer of every money movement.

Other domains use these functions and never the `accounts` table itself.
"""

from __future__ import annotations

from livecommerce.domains.ledger.accounts import (
    PLATFORM_KINDS,
    Kind,
    account_id,
    account_ids,
    allow_negative,
    balance,
    balances_of,
    lock_balance,
    negative_balances,
)
from livecommerce.domains.ledger.posting import post, post_many
from livecommerce.domains.ledger.reports import (
    balances_of_users,
    daily_movements,
    totals_by_kind,
)
from livecommerce.domains.ledger.statement import entries_of

__all__ = [
    "PLATFORM_KINDS",
    "Kind",
    "account_id",
    "account_ids",
    "allow_negative",
    "balance",
    "balances_of",
    "balances_of_users",
    "daily_movements",
    "entries_of",
    "lock_balance",
    "negative_balances",
    "post",
    "post_many",
    "totals_by_kind",
]
