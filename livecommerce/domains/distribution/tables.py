"""Distribution tables. History (bindings, clicks, settings audit) is append-only: a binding is
never overwritten, a newer one is added; the current one is the latest that has not expired."""

from __future__ import annotations

from piccolo.columns import JSONB, BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.catalog.tables import Product
from livecommerce.domains.orders.tables import Order, OrderItem


class OperatorSetting(Table, tablename="operator_settings"):
    """Operator settings by area (`distribution`, ...): one JSON document each; absent: defaults."""

    id = Serial(primary_key=True)
    key = Varchar(length=32, unique=True)
    value = JSONB(default="{}")
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = ForeignKey(User, null=True, default=None, db_column_name="updated_by_id")


class SettingsAudit(Table, tablename="settings_audit"):
    """Who changed which settings when, from what to what. Append-only (a trigger refuses
    UPDATE/DELETE)."""

    id = Serial(primary_key=True)
    key = Varchar(length=32)
    actor = ForeignKey(User, null=True, default=None, db_column_name="actor_id")
    before = JSONB(null=True, default=None)
    after = JSONB(default="{}")
    created_at = Timestamptz(default=TimestamptzNow())


class Distributor(Table, tablename="distributors"):
    """A user's distributor profile: a code to share and the distributor who recruited them.
    Active means the user holds the `distributor` role (granted at once, or by an admin)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, unique=True, db_column_name="user_id")
    code = Varchar(length=16, unique=True)
    parent = ForeignKey(User, null=True, default=None, index=True, db_column_name="parent_id")
    created_at = Timestamptz(default=TimestamptzNow())

    not_own_parent = Check("parent_id IS NULL OR parent_id <> user_id")


class ShareLink(Table, tablename="share_links"):
    id = Serial(primary_key=True)
    code = Varchar(length=16, unique=True)
    distributor = ForeignKey(User, null=False, index=True, db_column_name="distributor_id")
    target = Varchar(length=8)  # room | product
    room_id = Integer(null=True, default=None)  # live rooms come from another domain: no FK yet
    product = ForeignKey(Product, null=True, default=None, db_column_name="product_id")
    created_at = Timestamptz(default=TimestamptzNow())

    target_known = Check(
        "(target = 'room' AND room_id IS NOT NULL AND product_id IS NULL)"
        " OR (target = 'product' AND product_id IS NOT NULL AND room_id IS NULL)"
    )


class ShareClick(Table, tablename="share_clicks"):
    """One row per visit of a share link (insert-only: a viral link never contends on a counter
    row)."""

    id = Serial(primary_key=True)
    link = ForeignKey(ShareLink, null=False, index=True, db_column_name="link_id")
    distributor = ForeignKey(User, null=False, index=True, db_column_name="distributor_id")
    visitor = ForeignKey(User, null=True, default=None, db_column_name="visitor_id")
    created_at = Timestamptz(default=TimestamptzNow())


class Binding(Table, tablename="referral_bindings"):
    """Buyer -> distributor, append-only history. Source: click (a logged-in visit); for an
    anonymous visit's cookie, register or login (bound as the buyer signs up or logs in; register
    also when register-only mode binds at an order) or order (their first order carrying it)."""

    id = Serial(primary_key=True)
    buyer = ForeignKey(User, null=False, db_column_name="buyer_id")
    distributor = ForeignKey(User, null=False, index=True, db_column_name="distributor_id")
    link = ForeignKey(ShareLink, null=True, default=None, db_column_name="link_id")
    source = Varchar(length=12)
    mode = Varchar(length=16)  # the binding mode in force when it was made
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)  # null: permanent

    not_self = Check("buyer_id <> distributor_id")


class Commission(Table, tablename="commissions"):
    """What one distributor earns on one order item at one level. `amount` is fixed when the order
    is paid; refunds add to `reversed_amount`; what is paid out is amount - reversed_amount.

    pending -> due (the order completed: the host's share went to the commission clearing account)
    -> settled (the batch job paid it into the wallet); reversed when refunds took all of it."""

    id = Serial(primary_key=True)
    order = ForeignKey(Order, null=False, index=True, db_column_name="order_id")
    order_item = ForeignKey(OrderItem, null=False, db_column_name="order_item_id")
    level = Integer()
    distributor = ForeignKey(User, null=False, index=True, db_column_name="distributor_id")
    buyer = ForeignKey(User, null=False, db_column_name="buyer_id")
    base_amount = BigInt()  # the item's paid amount (after coupons) the rate applies to
    rate_bp = Integer()
    amount = BigInt()
    reversed_amount = BigInt(default=0)
    status = Varchar(length=10, default="pending")
    reversal_reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    due_at = Timestamptz(null=True, default=None)
    settled_at = Timestamptz(null=True, default=None)

    one_per_item_level = Unique(["order_item_id", "level"])
    status_known = Check("status IN ('pending', 'due', 'settled', 'reversed')")
    amounts_consistent = Check(
        "amount >= 0 AND reversed_amount >= 0 AND reversed_amount <= amount"
        " AND level BETWEEN 1 AND 3"
    )


class Withdrawal(Table, tablename="withdrawals"):
    """A distributor takes money out: held while pending, paid out (minus the fee) or released."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, index=True, db_column_name="user_id")
    amount = BigInt()
    fee = BigInt(default=0)
    status = Varchar(length=10, default="pending")
    provider = Varchar(length=16, default="sandbox")
    provider_ref = Varchar(length=64, null=True, default=None)
    note = Text(default="")
    decision_reason = Text(default="")  # an operator's reason for a rejection, shown to them
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(User, null=True, default=None, db_column_name="decided_by_id")

    status_known = Check("status IN ('pending', 'paid', 'rejected')")
    amounts_positive = Check("amount > 0 AND fee >= 0 AND fee < amount")


TABLES = (
    OperatorSetting,
    SettingsAudit,
    Distributor,
    ShareLink,
    ShareClick,
    Binding,
    Commission,
    Withdrawal,
)
