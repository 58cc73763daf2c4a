"""Gift tables (the schema is the raw SQL of migration 2026-12-03T12:30; these classes are for
reading and for the tests' truncation)."""

from __future__ import annotations

from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.live.tables import LiveSession, Room


class Gift(Table, tablename="gifts"):
    """One gift of the platform's catalogue: its price is money, so it changes only through the
    console's audited form, never through piccolo-admin."""

    id = Serial(primary_key=True)
    name = Varchar(length=16)
    name_en = Varchar(length=32, default="")
    icon = Varchar(length=120)
    price = Integer()  # fen
    enabled = Boolean(default=True)
    sort_order = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class GiftTip(Table, tablename="gift_tips"):
    id = Serial(primary_key=True)
    room = ForeignKey(Room, db_column_name="room_id")
    session = ForeignKey(LiveSession, db_column_name="session_id")
    host = ForeignKey(User, db_column_name="host_id")
    sender = ForeignKey(User, db_column_name="sender_id")
    gift = ForeignKey(Gift, db_column_name="gift_id")
    gift_name = Varchar(length=16)
    unit_price = Integer()
    quantity = Integer()
    amount = BigInt()
    fee = BigInt()
    host_share = BigInt()
    request_key = Varchar(length=128)
    escrow_account_id = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    settled_at = Timestamptz(null=True, default=None)


class GiftTipTotal(Table, tablename="gift_tip_totals"):
    """A sender's fen tipped in one scope (a business day or a session): what the caps bound."""

    user = ForeignKey(User, db_column_name="user_id")
    scope = Varchar(length=24)
    amount = BigInt()
    tips = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())


GIFT_TABLES = (Gift, GiftTip, GiftTipTotal)
