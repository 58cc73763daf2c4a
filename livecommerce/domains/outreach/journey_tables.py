"""Journey tables (the schema is the raw SQL of migration 2026-12-03T09:20; these classes are for
reading and for the tests' truncation)."""

from __future__ import annotations

from piccolo.columns import Boolean, DoublePrecision, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.catalog.tables import Product


class JourneySetting(Table, tablename="outreach_journey_settings"):
    """A host's switch for one journey (no row: the journey's default)."""

    host = ForeignKey(User, primary_key=True, db_column_name="host_id")
    journey = Varchar(length=24)
    enabled = Boolean()
    coupon_id = Integer(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class ProductCycle(Table, tablename="outreach_product_cycles"):
    product = ForeignKey(Product, primary_key=True, db_column_name="product_id")
    host = ForeignKey(User, null=False, db_column_name="host_id")
    cycle_days = Integer(null=True, default=None)
    learned_days = Integer(null=True, default=None)
    median_seconds = DoublePrecision(null=True, default=None)
    repeat_buyers = Integer(default=0)
    learned_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


TABLES = (JourneySetting, ProductCycle)
