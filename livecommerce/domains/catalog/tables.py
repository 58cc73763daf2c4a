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
    # The spec names a product's SKUs vary by, with their values, in order:
    # [{"name": "颜色", "values": ["红", "蓝"]}, {"name": "尺码", "values": ["S", "M"]}].
    specs = JSONB(default="[]")
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
    # One value of each of the product's specs, in the product's spec order (empty: no specs).
    spec_values = Array(base_column=Varchar(length=16), default=list)
    # The SKU's own picture (one of the product's, usually); null: the product's first.
    image = Text(null=True, default=None)

    # The last line of defence against overselling: stock can't go below zero.
    stock_not_negative = Check("stock >= 0")
    price_positive = Check("price > 0")


class Upload(Table, tablename="uploads"):
    """An image someone uploaded (livecommerce/infra/media.py keeps the bytes): who, for the
    quota and for checking that a product shows its own host's pictures."""

    id = Serial(primary_key=True)
    owner = ForeignKey(User, null=False, index=True, db_column_name="owner_id")
    key = Varchar(length=64, unique=True)  # the full image; its thumbnail's key is derived
    width = Integer()
    height = Integer()
    bytes = Integer()  # stored: the image and its thumbnail
    source_format = Varchar(length=8, default="")
    created_at = Timestamptz(default=TimestamptzNow())
