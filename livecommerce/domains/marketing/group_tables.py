"""Group-buy tables. The schema is the raw SQL of
migrations/livecommerce_2026_12_03t12_10_00_000000.py; these classes are for reading and for the
tests' truncation."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.catalog.tables import Product
from livecommerce.domains.orders.tables import Order


class GroupBuyOffer(Table, tablename="group_buy_offers"):
    """A product's group terms, set by its host: N people within H hours."""

    # The product's id is the key (one offer per product); a plain column, as Piccolo's
    # ForeignKey can't be a primary key that others reference.
    product_id = Integer(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    enabled = Boolean(default=True)
    group_size = SmallInt()
    hours = SmallInt()
    pays_commission = Boolean(default=True)  # whether distributors earn on group orders
    updated_at = Timestamptz(default=TimestamptzNow())


class GroupBuyPrice(Table, tablename="group_buy_prices"):
    """The group price of one SKU of an offer's product (fen)."""

    sku_id = Integer(primary_key=True)  # skus.id
    product_id = Integer()  # group_buy_offers.product_id
    price = BigInt()


class GroupBuy(Table, tablename="group_buys"):
    """One group: pending (its leader has not paid) → open → succeeded | failed; abandoned when
    the leader's order is cancelled unpaid."""

    id = Serial(primary_key=True)
    product = ForeignKey(Product, null=False, db_column_name="product_id")
    host = ForeignKey(User, null=False, db_column_name="host_id")
    leader = ForeignKey(User, null=False, db_column_name="leader_id")
    group_size = SmallInt()
    hours = SmallInt()
    pays_commission = Boolean()
    room_id = Integer(null=True, default=None)
    status = Varchar(length=10, default="pending")
    paid_count = SmallInt(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    opened_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    succeeded_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)


class GroupBuyMember(Table, tablename="group_buy_members"):
    """A buyer's order in a group: pending (unpaid: holds no seat) → seated (paid) → succeeded |
    refunded; released when the unpaid order is cancelled."""

    id = Serial(primary_key=True)
    group = ForeignKey(GroupBuy, null=False, db_column_name="group_id")
    product = ForeignKey(Product, null=False, db_column_name="product_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    order = ForeignKey(Order, null=False, db_column_name="order_id")
    seat = SmallInt(null=True, default=None)
    status = Varchar(length=10, default="pending")
    rehomed_from = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    paid_at = Timestamptz(null=True, default=None)


TABLES = (GroupBuyOffer, GroupBuyPrice, GroupBuy, GroupBuyMember)
