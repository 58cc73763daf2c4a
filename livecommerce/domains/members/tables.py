"""Member tables. `members` holds one row per (host, buyer) with running totals that concurrent
payments add to atomically (an upsert adds, never reads-then-writes); `member_growth` keeps every
movement, so a tier over a window (the last N days, this month) is a sum over its rows."""

from __future__ import annotations

from piccolo.columns import BigInt, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.orders.tables import Order


class Member(Table, tablename="members"):
    """A buyer as a host's member, created by their first paid order with that host."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, index=True, db_column_name="host_id")
    user = ForeignKey(User, null=False, index=True, db_column_name="user_id")
    # All-time growth: paid minus refunded, fen. A window's growth is summed from member_growth.
    lifetime_spend = BigInt(default=0)
    paid_orders = Integer(default=0)
    first_paid_at = Timestamptz(null=True, default=None)
    last_paid_at = Timestamptz(null=True, default=None)
    # The tier the member holds (member_tiers.code of this host); '' before tiers are set up.
    tier_code = Varchar(length=16, default="")
    tier_changed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    one_per_host = Unique(["host_id", "user_id"])


class GrowthEntry(Table, tablename="member_growth"):
    """One movement of a member's growth: + on payment, − per item on refund. Keyed, so a
    repeated hook adds nothing twice."""

    id = Serial(primary_key=True)
    member = ForeignKey(Member, null=False, index=True, db_column_name="member_id")
    order = ForeignKey(Order, null=False, index=True, db_column_name="order_id")
    business_key = Varchar(length=64, unique=True)
    amount = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = (Member, GrowthEntry)
