from __future__ import annotations

from piccolo.columns import (
    JSONB,
    Array,
    BigInt,
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User


class Product(Table, tablename="products"):
    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, index=True, db_column_name="host_id")
    title = Varchar(length=120)
    description = Text(default="")
    images = Array(base_column=Text(), default=list)
    on_shelf = Boolean(default=True, index=True)
    # Per-product commission rates per level in basis points (distribution); null: the platform's.
    commission_rates = JSONB(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Sku(Table, tablename="skus"):
    id = Serial(primary_key=True)
    product = ForeignKey(Product, null=False, index=True, db_column_name="product_id")
    name = Varchar(length=64)
    price = BigInt()  # fen
    stock = Integer(default=0)
    sold = Integer(default=0)

    # The last line of defence against overselling: stock can't go below zero.
    stock_not_negative = Check("stock >= 0")
    price_positive = Check("price > 0")
