"""Promotions: coupon templates and the coupons users claimed; red packets and their parts.

PostgreSQL is the truth, Redis only a fast gate in front of it:
- a coupon's `issued` never passes its `quota` (CHECK), each claim has a unique sequence
  number per coupon and a unique per-user number (so a lost Redis can't over-issue);
- a red packet's parts are rows made at creation; a grab writes its user on one part, and
  (packet, user) is unique: one part per user, one user per part.
"""

from __future__ import annotations

from piccolo.columns import (
    Array,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.live.tables import LiveSession, Room


class Coupon(Table, tablename="coupons"):
    """A coupon template a host makes for a room; users claim copies of it (UserCoupon)."""

    id = Serial(primary_key=True)
    room = ForeignKey(Room, null=False, index=True, db_column_name="room_id")
    host = ForeignKey(User, null=False, index=True, db_column_name="host_id")
    title = Varchar(length=60)
    kind = Varchar(length=16)  # amount_off | percent_off
    amount_off = BigInt(default=0)  # fen (amount_off)
    percent_off_bp = Integer(default=0)  # basis points taken off (percent_off): 1500 = 15 % off
    max_discount = BigInt(null=True, default=None)  # fen cap (percent_off); null: no cap
    min_spend = BigInt(default=0)  # fen the eligible items must reach; 0: no threshold
    # Validity: an absolute window, or N minutes from the claim.
    valid_from = Timestamptz(null=True, default=None)
    valid_to = Timestamptz(null=True, default=None)
    valid_minutes = Integer(null=True, default=None)
    quota = Integer()
    issued = Integer(default=0)
    per_user_limit = Integer(default=1)
    per_user_daily_limit = Integer(null=True, default=None)
    # Scope: empty means every product of the host.
    product_ids = Array(base_column=Integer(), default=list)
    live_only = Boolean(default=False)
    dropped_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    coupon_kind_known = Check(
        "(kind = 'amount_off' AND amount_off > 0)"
        " OR (kind = 'percent_off' AND percent_off_bp BETWEEN 1 AND 9999)"
    )
    coupon_issued_within_quota = Check("issued >= 0 AND issued <= quota")
    coupon_limits_positive = Check(
        "quota >= 1 AND per_user_limit >= 1"
        " AND (per_user_daily_limit IS NULL OR per_user_daily_limit >= 1)"
    )
    coupon_validity_given = Check("valid_to IS NOT NULL OR valid_minutes IS NOT NULL")


class UserCoupon(Table, tablename="user_coupons"):
    """A claimed coupon: available, held by a pending order, or used by a paid one."""

    id = Serial(primary_key=True)
    coupon = ForeignKey(Coupon, null=False, db_column_name="coupon_id")
    user = ForeignKey(User, null=False, index=True, db_column_name="user_id")
    seq = Integer()  # 1..quota: the n-th copy of the coupon
    user_seq = Integer()  # 1..per_user_limit: the user's n-th copy
    claim_day = Date()  # in the business time zone, for per-day limits
    valid_from = Timestamptz()
    valid_until = Timestamptz()
    status = Varchar(length=12, default="available")
    order_id = Integer(null=True, default=None)
    claimed_at = Timestamptz(default=TimestamptzNow())
    used_at = Timestamptz(null=True, default=None)

    user_coupon_seq_unique = Unique(["coupon_id", "seq"])
    user_coupon_user_seq_unique = Unique(["coupon_id", "user_id", "user_seq"])
    user_coupon_status_known = Check(
        "(status = 'available' AND order_id IS NULL)"
        " OR (status IN ('held', 'used') AND order_id IS NOT NULL)"
    )
    user_coupon_seq_positive = Check("seq >= 1 AND user_seq >= 1")


class RedPacket(Table, tablename="red_packets"):
    id = Serial(primary_key=True)
    room = ForeignKey(Room, null=False, index=True, db_column_name="room_id")
    host = ForeignKey(User, null=False, index=True, db_column_name="host_id")
    session = ForeignKey(LiveSession, null=True, default=None, db_column_name="session_id")
    greeting = Varchar(length=60, default="")
    split = Varchar(length=8)  # lucky | equal
    total_amount = BigInt()
    count = Integer()  # type: ignore[assignment]  # the SQL column; shadows Piccolo's Table.count()
    # Written when the packet finishes or is refunded (grabs don't touch this row, so they
    # commit side by side); the live figures are counted from the parts.
    claimed_count = Integer(default=0)
    claimed_amount = BigInt(default=0)
    status = Varchar(
        length=10, default="active"
    )  # active | finished (all grabbed) | expired (refunded)
    require_presence = Boolean(default=False)
    min_watch_seconds = Integer(default=0)
    expires_at = Timestamptz()
    refunded_amount = BigInt(null=True, default=None)
    refunded_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    red_packet_status_known = Check("status IN ('active', 'finished', 'expired')")
    red_packet_amounts = Check(
        "count >= 1 AND total_amount >= count AND claimed_count BETWEEN 0 AND count"
        " AND claimed_amount BETWEEN 0 AND total_amount"
        " AND (refunded_amount IS NULL OR refunded_amount = total_amount - claimed_amount)"
    )


class RedPacketPart(Table, tablename="red_packet_parts"):
    id = Serial(primary_key=True)
    packet = ForeignKey(RedPacket, null=False, db_column_name="packet_id")
    idx = Integer()
    amount = BigInt()
    user = ForeignKey(User, null=True, default=None, db_column_name="user_id")
    grabbed_at = Timestamptz(null=True, default=None)

    red_packet_part_unique = Unique(["packet_id", "idx"])
    red_packet_one_part_per_user = Unique(
        ["packet_id", "user_id"]
    )  # NULLs distinct: many free parts
    red_packet_part_positive = Check("amount >= 1 AND idx >= 0")
