from __future__ import annotations

from piccolo.columns import Array, Boolean, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table


class User(Table, tablename="users"):
    id = Serial(primary_key=True)
    username = Varchar(length=32, unique=True, index=True)
    display_name = Varchar(length=64)
    password_hash = Text()
    # "viewer" is implied; these are the extra roles granted.
    roles = Array(base_column=Varchar(length=16), default=list)
    created_at = Timestamptz(default=TimestamptzNow())
    roles_changed_at = Timestamptz(default=TimestamptzNow())
    # A platform ban (infra/bans.py): tokens issued up to `banned_at` are dead for good; the ban
    # holds until `banned_until` (null: until lifted; lifting sets it to then). History: the
    # operator audit (user.ban, user.unban).
    banned_at = Timestamptz(null=True, default=None)
    banned_until = Timestamptz(null=True, default=None)
    ban_changed_at = Timestamptz(null=True, default=None)
    # Partner roles an operator suspended (accounts/standing.py): "host", "distributor".
    suspended_roles = Array(base_column=Varchar(length=16), default=list)


class RoleApplication(Table, tablename="role_applications"):
    """A request to become a host or distributor; one open request per user and role."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, db_column_name="user_id")
    role = Varchar(length=16)
    status = Varchar(length=16, default="pending")
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(User, null=True, default=None, db_column_name="decided_by_id")
    decision_reason = Text(default="")  # the operator's words to the applicant (a rejection's)

    status_known = Check("status IN ('pending', 'approved', 'rejected')")
    role_known = Check("role IN ('host', 'distributor')")
    one_per_user_role = Unique(["user_id", "role"])


class Address(Table, tablename="addresses"):
    """A buyer's address book entry: who receives, their phone, the region and the street.

    At most one default per user (a partial unique index, migrations/…_addresses); at most
    ADDRESS_BOOK_LIMIT entries per user (accounts/addresses.py, under a per-user lock). An order
    keeps a copy (orders.address), so editing or deleting an entry never changes an order.
    """

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, index=True, db_column_name="user_id")
    name = Varchar(length=64)
    phone = Varchar(length=16)
    province = Varchar(length=32)
    city = Varchar(length=32)
    district = Varchar(length=32, default="")
    detail = Varchar(length=200)
    is_default = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
