"""Granting benefits, by the worker, exactly once per (member, benefit, period).

Each grant is one transaction: the benefit_grants row (UNIQUE member, benefit, period) is
inserted first, then the benefit is given through its engine in the same transaction:
- a monthly voucher: one claimed copy of the host's coupon (promotions.coupons.issue_copy: the
  coupon engine's own gate, quota and per-user limit under the coupon's row lock);
- a member-day red packet: a personal packet funded from the host's wallet (member_packets.py).
A second run, a concurrent one (it waits on the unique key, then inserts nothing) or a late one
in the same period grants nothing more. A grant the engine refuses (coupon sold out, host's
wallet short) rolls back with its row, so a later run in the period may still grant it.

Who gets it: the members holding the benefit's tier when the job runs. A member upgraded in the
month gets the new tier's voucher too (another benefit), once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import structlog
from asyncpg import Record

from livecommerce.domains.members import member_packets
from livecommerce.domains.members.benefit_periods import (
    member_day,
    member_day_period,
    month_period,
)
from livecommerce.domains.members.hooks import BenefitGrant, MemberHooks
from livecommerce.domains.promotions import coupons
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

log = structlog.get_logger("members.benefits")
CHUNK = 500


@dataclass
class Outcome:
    granted: int = 0
    refused: int = 0


async def _due_benefits(kind: str) -> list[Record]:
    async with db.connection() as conn:
        return await conn.fetch(
            "SELECT b.*, l.timezone FROM member_benefits b"
            " JOIN member_tier_ladders l ON l.host_id = b.host_id"
            " WHERE b.kind = $1 AND b.enabled ORDER BY b.id",
            kind,
        )


async def _members_due(benefit: Record, period: str, after: int) -> list[Record]:
    async with db.connection() as conn:
        return await conn.fetch(
            "SELECT m.id, m.user_id FROM members m WHERE m.host_id = $1 AND m.tier_code = $2"
            " AND m.id > $3 AND NOT EXISTS (SELECT 1 FROM benefit_grants g"
            "   WHERE g.member_id = m.id AND g.benefit_id = $4 AND g.period = $5)"
            " ORDER BY m.id LIMIT $6",
            benefit["host_id"],
            benefit["tier_code"],
            after,
            benefit["id"],
            period,
            CHUNK,
        )


async def _grant_row(conn, member: Record, benefit: Record, period: str) -> int | None:
    """The exactly-once key: None when this (member, benefit, period) was granted already. The
    member must still hold the tier (checked under its row lock, as a payment or the edge job
    may have just changed it)."""
    holds = await conn.fetchval(
        "SELECT tier_code = $2 FROM members WHERE id = $1 FOR SHARE",
        member["id"],
        benefit["tier_code"],
    )
    if not holds:
        return None
    return await conn.fetchval(
        "INSERT INTO benefit_grants (member_id, benefit_id, period, created_at)"
        " VALUES ($1, $2, $3, now()) ON CONFLICT (member_id, benefit_id, period) DO NOTHING"
        " RETURNING id",
        member["id"],
        benefit["id"],
        period,
    )


async def _told(
    tx: db.Tx, hooks: MemberHooks, member: Record, benefit: Record, period: str
) -> None:
    grant = BenefitGrant(
        host_id=benefit["host_id"],
        user_id=member["user_id"],
        member_id=member["id"],
        benefit_id=benefit["id"],
        kind=benefit["kind"],
        tier_code=benefit["tier_code"],
        period=period,
        amount=benefit["amount"],
    )
    for granted in hooks.benefit_granted:
        await granted(tx, grant)


async def _grant_voucher(
    member: Record, benefit: Record, period: str, now: datetime, hooks: MemberHooks
) -> bool:
    day = now.astimezone(ZoneInfo(benefit["timezone"])).date()
    async with db.transaction() as tx:
        conn = tx.conn
        grant_id = await _grant_row(conn, member, benefit, period)
        if grant_id is None:
            return False
        copy = await coupons.issue_copy(conn, benefit["coupon_id"], member["user_id"], day)
        await conn.execute(
            "UPDATE benefit_grants SET user_coupon_id = $2 WHERE id = $1", grant_id, copy["id"]
        )
        await _told(tx, hooks, member, benefit, period)
    return True


async def _grant_packet(member: Record, benefit: Record, period: str, hooks: MemberHooks) -> bool:
    async with db.transaction() as tx:
        conn = tx.conn
        grant_id = await _grant_row(conn, member, benefit, period)
        if grant_id is None:
            return False
        await member_packets.fund(conn, grant_id, benefit["host_id"], member["user_id"], benefit)
        await _told(tx, hooks, member, benefit, period)
    return True


async def _coupon_usable(coupon_id: int, now: datetime) -> bool:
    """A voucher's coupon with copies left and not past its end: else nobody is asked."""
    async with db.connection() as conn:
        return bool(
            await conn.fetchval(
                "SELECT issued < quota AND (valid_to IS NULL OR valid_to > $2)"
                " FROM coupons WHERE id = $1",
                coupon_id,
                now,
            )
        )


async def _grant_all(
    benefit: Record, period: str, now: datetime, outcome: Outcome, hooks: MemberHooks
) -> None:
    if benefit["kind"] == "voucher" and not await _coupon_usable(benefit["coupon_id"], now):
        log.warning("member_voucher_unusable", benefit_id=benefit["id"])
        return
    after = 0
    while members := await _members_due(benefit, period, after):
        after = members[-1]["id"]
        for member in members:
            try:
                if benefit["kind"] == "voucher":
                    done = await _grant_voucher(member, benefit, period, now, hooks)
                else:
                    done = await _grant_packet(member, benefit, period, hooks)
            except DomainError as exc:
                # The engine said no (sold out, limit, the host's wallet short): nothing was
                # granted or recorded; the rest of this benefit would be refused alike.
                outcome.refused += 1
                log.warning(
                    "benefit_not_granted",
                    benefit_id=benefit["id"],
                    member_id=member["id"],
                    code=exc.code.value,
                )
                if exc.code in (ErrorCode.COUPON_SOLD_OUT, ErrorCode.INSUFFICIENT_BALANCE):
                    return
                continue
            outcome.granted += done


async def grant_due(
    now: datetime | None = None,
    hooks: MemberHooks = MemberHooks(),  # noqa: B008 - frozen, shared on purpose
) -> Outcome:
    """Grant every benefit due now: this month's vouchers, and the member day's red packets when
    today (or, for a late run, yesterday) is one."""
    now = now or datetime.now(UTC)
    outcome = Outcome()
    for benefit in await _due_benefits("voucher"):
        await _grant_all(benefit, month_period(now, benefit["timezone"]), now, outcome, hooks)
    for benefit in await _due_benefits("red_packet"):
        try:
            day = member_day(benefit["rule"], now, benefit["timezone"])
        except ValueError:
            log.warning("member_day_rule_unreadable", benefit_id=benefit["id"])
            continue
        if day is not None:
            await _grant_all(benefit, member_day_period(day), now, outcome, hooks)
    return outcome
