"""Giveaways (福袋, 抽奖): one running per room (a partial unique index), the entries and the
winners. The seed stays in the row, secret until the draw; its sha256 is public from the start.
The SQL is the migrations' (2026-12-03T12:20; product prizes 2026-12-04T20:00); these classes
name the tables for Piccolo."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigInt,
    Boolean,
    Bytea,
    Char,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.catalog.tables import Sku
from livecommerce.domains.live.tables import LiveSession, Room
from livecommerce.domains.orders.tables import Order
from livecommerce.domains.promotions.tables import Coupon


class Giveaway(Table, tablename="giveaways"):
    id = Serial(primary_key=True)
    room = ForeignKey(Room, null=False, db_column_name="room_id")
    host = ForeignKey(User, null=False, db_column_name="host_id")
    session = ForeignKey(LiveSession, null=True, db_column_name="session_id")
    title = Varchar(length=40)
    prize_kind = Varchar(length=12)  # coupon | red_packet | product
    coupon = ForeignKey(Coupon, null=True, db_column_name="coupon_id")
    # A product prize: the host's SKU, its units set aside from stock at the start.
    sku = ForeignKey(Sku, null=True, db_column_name="sku_id")
    prize_value = BigInt()  # fen per winner
    winners_count = Integer()
    keyword = Varchar(length=20, null=True)
    watch_minutes = Integer(default=0)
    require_follow = Boolean(default=False)
    on_unclaimed = Varchar(length=8, default="redraw")  # redraw | lapse
    claim_hours = Integer(default=48)
    seed = Bytea()
    seed_hash = Char(length=64)
    token_key = Bytea()  # keys the entries' public tokens; never published
    status = Varchar(length=10, default="running")  # running | drawn | closed
    starts_at = Timestamptz(default=TimestamptzNow())
    ends_at = Timestamptz()
    drawn_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class GiveawayEntry(Table, tablename="giveaway_entries"):
    id = Serial(primary_key=True)
    giveaway = ForeignKey(Giveaway, null=False, db_column_name="giveaway_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    token = Char(length=16)
    masked_name = Varchar(length=40)
    commented_at = Timestamptz(null=True, default=None)
    entered_at = Timestamptz(null=True, default=None)


class GiveawayWinner(Table, tablename="giveaway_winners"):
    id = Serial(primary_key=True)
    giveaway = ForeignKey(Giveaway, null=False, db_column_name="giveaway_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    rank = Integer()
    round = Integer()
    status = Varchar(length=8, default="won")  # won | claimed | lapsed
    claim_deadline = Timestamptz()
    claimed_at = Timestamptz(null=True, default=None)
    address = JSONB(null=True, default=None)
    user_coupon_id = Integer(null=True, default=None)
    # A product prize's zero-price order, made by the claim (unique: claimed twice, the same).
    order = ForeignKey(Order, null=True, default=None, db_column_name="order_id")
    created_at = Timestamptz(default=TimestamptzNow())


class GiveawayStockReturn(Table, tablename="giveaway_stock_returns"):
    """Product prize units given back to their SKU (not drawn, or lapsed), once per key."""

    id = Serial(primary_key=True)
    giveaway = ForeignKey(Giveaway, null=False, db_column_name="giveaway_id")
    key = Varchar(length=32)
    sku = ForeignKey(Sku, null=False, db_column_name="sku_id")
    units = Integer()
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = (Giveaway, GiveawayEntry, GiveawayWinner, GiveawayStockReturn)
