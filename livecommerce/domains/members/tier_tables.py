"""Tier and benefit tables (migration 2026-12-03T08:10): a host's ladder and window, its tiers,
the benefits of each tier, member prices, the grants made (unique per member, benefit and
period) and the personal red packets a member-day grant funds."""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
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
from livecommerce.domains.catalog.tables import Sku
from livecommerce.domains.members.tables import Member
from livecommerce.domains.promotions.tables import Coupon, UserCoupon


class TierLadder(Table, tablename="member_tier_ladders"):
    """A host's window (all | days | month) and the time zone its calendar is read in."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, unique=True, db_column_name="host_id")
    window_kind = Varchar(length=8)
    window_days = Integer(null=True, default=None)
    timezone = Varchar(length=40)
    updated_at = Timestamptz(default=TimestamptzNow())

    ladder_window_known = Check(
        "(window_kind IN ('all', 'month') AND window_days IS NULL)"
        " OR (window_kind = 'days' AND window_days BETWEEN 1 AND 730)"
    )


class MemberTier(Table, tablename="member_tiers"):
    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    code = Varchar(length=16)
    name = Varchar(length=16)
    threshold = BigInt()  # fen of window growth
    position = Integer()  # 0 = lowest

    tier_code_unique = Unique(["host_id", "code"])
    tier_position_unique = Unique(["host_id", "position"])


class Benefit(Table, tablename="member_benefits"):
    """One benefit of one tier: at most one of each kind per (host, tier), kept when the host
    edits it (its id keys the grants, so editing never grants a period twice)."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    tier_code = Varchar(length=16)
    kind = Varchar(length=16)  # voucher | red_packet | member_price
    enabled = Boolean(default=True)
    coupon = ForeignKey(Coupon, null=True, default=None, db_column_name="coupon_id")
    amount = BigInt(null=True, default=None)  # red_packet: fen per member
    rule = Varchar(length=120, null=True, default=None)  # red_packet: the member day (rrule)
    updated_at = Timestamptz(default=TimestamptzNow())

    benefit_one_per_kind = Unique(["host_id", "tier_code", "kind"])


class MemberPrice(Table, tablename="member_prices"):
    id = Serial(primary_key=True)
    benefit = ForeignKey(Benefit, null=False, db_column_name="benefit_id")
    sku = ForeignKey(Sku, null=False, db_column_name="sku_id")
    price = BigInt()

    member_price_unique = Unique(["benefit_id", "sku_id"])


class BenefitGrant(Table, tablename="benefit_grants"):
    """A benefit given: inserted in the grant's own transaction, unique per period."""

    id = Serial(primary_key=True)
    member = ForeignKey(Member, null=False, db_column_name="member_id")
    benefit = ForeignKey(Benefit, null=False, db_column_name="benefit_id")
    period = Varchar(length=16)  # 2026-12 (monthly) or 2026-12-08 (a member day)
    user_coupon = ForeignKey(UserCoupon, null=True, default=None, db_column_name="user_coupon_id")
    created_at = Timestamptz(default=TimestamptzNow())

    benefit_grant_once = Unique(["member_id", "benefit_id", "period"])


class MemberPacket(Table, tablename="member_packets"):
    """A personal red packet of a member day: funded from the host's wallet into the platform's
    red-packet account at the grant, opened into the member's wallet, or back to the host."""

    id = Serial(primary_key=True)
    grant = ForeignKey(BenefitGrant, null=False, unique=True, db_column_name="grant_id")
    host = ForeignKey(User, null=False, db_column_name="host_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    amount = BigInt()
    status = Varchar(length=8, default="sealed")  # sealed | opened | returned
    expires_at = Timestamptz()
    settled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class TierEvaluation(Table, tablename="member_tier_evaluations"):
    """The last edge at which a member's tier was evaluated: claimed by an upsert, so two runs of
    the edge job (or a late one) evaluate each member once per edge."""

    id = Serial(primary_key=True)
    member = ForeignKey(Member, null=False, unique=True, db_column_name="member_id")
    edge = Timestamptz()


TABLES = (
    TierLadder,
    MemberTier,
    Benefit,
    MemberPrice,
    BenefitGrant,
    MemberPacket,
    TierEvaluation,
)
