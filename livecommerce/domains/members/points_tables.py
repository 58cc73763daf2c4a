"""Points tables (migration 2026-12-03T08:20). The balances are ledger accounts; these rows hold
what the ledger can't: each host's settings, and each completed order's earned points with
their freeze, so a thaw moves exactly that order's still-frozen points and a refund knows what
the order earned. Invariant: a member's frozen account equals the sum of `frozen_left` of their
earnings with that host."""

from __future__ import annotations

from piccolo.columns import BigInt, ForeignKey, Integer, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.orders.tables import Order


class PointsSettings(Table, tablename="points_settings"):
    """A host's points rules; a host without a row has the defaults (points_rules.DEFAULTS)."""

    host = ForeignKey(User, primary_key=True, db_column_name="host_id")
    earn_bp = Integer()  # points per fen earned, in basis points (100: 1 point per ¥1)
    frozen_days = Integer()
    points_per_yuan = Integer()  # how many points buy ¥1 at checkout
    cap_bp = Integer()  # the most points may take off an order, in basis points of it
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = ForeignKey(User, null=True, default=None, db_column_name="updated_by_id")


class PointsEarning(Table, tablename="points_earnings"):
    """The points one completed order earned, frozen until `thaw_at`."""

    order = ForeignKey(Order, primary_key=True, db_column_name="order_id")
    host = ForeignKey(User, null=False, db_column_name="host_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    points = BigInt()
    kept_amount = BigInt()  # fen kept by the host at completion (what the points were earned on)
    frozen_left = BigInt()  # of `points`, still frozen (0 once thawed)
    taken_back = BigInt(default=0)  # owed back by refunds after completion (shortfall included)
    shortfall = BigInt(default=0)  # of that, what the member no longer had (spent already)
    thaw_at = Timestamptz()
    thawed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = (PointsSettings, PointsEarning)
