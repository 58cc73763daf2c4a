"""The operator audit: one row per operator action, append-only (a trigger refuses UPDATE and
DELETE). Written by livecommerce/infra/audit.py in the transaction of the action itself."""

from __future__ import annotations

from piccolo.columns import JSONB, BigInt, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User


class OperatorAction(Table, tablename="operator_actions"):
    id = Serial(primary_key=True)
    actor = ForeignKey(User, null=True, default=None, index=True, db_column_name="actor_id")
    action = Varchar(length=48, index=True)  # e.g. withdrawal.approve, user.ban, settings.update
    target_kind = Varchar(length=32)  # user | withdrawal | payout | refund | order | settings …
    target_id = BigInt(null=True, default=None)
    before = JSONB(null=True, default=None)
    after = JSONB(null=True, default=None)
    reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


TABLES = (OperatorAction,)
