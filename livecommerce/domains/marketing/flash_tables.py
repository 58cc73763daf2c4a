"""Flash-sale tables. The schema is the raw SQL of
migrations/livecommerce_2026_12_03t12_00_00_000000.py; these classes are for reading and for the
tests' truncation."""

from __future__ import annotations

from piccolo.columns import BigInt, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.catalog.tables import Product, Sku
from livecommerce.domains.live.tables import Room


class FlashSale(Table, tablename="flash_sales"):
    """A countdown sale of one showcase SKU: `quantity` units at `price`, at most
    `per_user_limit` per buyer, between `starts_at` and `ends_at`; active, then ended."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    room = ForeignKey(Room, null=False, db_column_name="room_id")
    product = ForeignKey(Product, null=False, db_column_name="product_id")
    sku = ForeignKey(Sku, null=False, db_column_name="sku_id")
    price = BigInt()
    list_price = BigInt()
    lowest_30d = BigInt()
    quantity = Integer()
    per_user_limit = Integer()
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    status = Varchar(length=8, default="active")
    sold = Integer(null=True, default=None)
    returned = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)


class FlashUnit(Table, tablename="flash_units"):
    """A unit of a sale held by an order, or given back to the SKU at the end (no order)."""

    sale_id = Integer(primary_key=True)  # (sale_id, unit_no) is the key (see the migration)
    unit_no = Integer()
    order_id = Integer(null=True, default=None)
    buyer_id = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = (FlashSale, FlashUnit)
