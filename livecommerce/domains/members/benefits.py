"""A host's benefits per tier: a monthly no-threshold voucher, a member-day red packet, member
prices on chosen SKUs. At most one benefit of each kind per tier.

A benefit keeps its id while the host edits it (upsert by host, tier and kind): the grants are
unique per (member, benefit id, period), so re-saving the page never grants a period twice. A
benefit taken off the list is deleted if it was never granted, else disabled and kept.
"""

from __future__ import annotations

from typing import Any

from asyncpg import Connection, Record

from livecommerce.domains.members.benefit_periods import normal_rule, parse_member_day
from livecommerce.domains.members.tier_schemas import (
    BenefitIn,
    BenefitOut,
    BenefitsIn,
    BenefitsOut,
    MemberPriceOut,
)
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode


def _invalid(detail: str, **extra: Any) -> DomainError:
    return DomainError(ErrorCode.BENEFIT_INVALID, detail=detail, **extra)


def benefit_out(row: Record, prices: list[Record]) -> BenefitOut:
    return BenefitOut(
        id=row["id"],
        tier_code=row["tier_code"],
        kind=row["kind"],
        enabled=row["enabled"],
        coupon_id=row["coupon_id"],
        amount=row["amount"],
        rule=row["rule"],
        prices=[MemberPriceOut(sku_id=p["sku_id"], price=p["price"]) for p in prices],
    )


async def benefits_of(
    conn: Connection, host_id: int, tier_code: str | None = None, *, enabled_only: bool = False
) -> list[BenefitOut]:
    rows = await conn.fetch(
        "SELECT * FROM member_benefits WHERE host_id = $1"
        " AND ($2::text IS NULL OR tier_code = $2) AND (enabled OR NOT $3)"
        " ORDER BY tier_code, kind",
        host_id,
        tier_code,
        enabled_only,
    )
    prices: dict[int, list[Record]] = {}
    for p in await conn.fetch(
        "SELECT benefit_id, sku_id, price FROM member_prices WHERE benefit_id = ANY($1::int[])"
        " ORDER BY sku_id",
        [r["id"] for r in rows],
    ):
        prices.setdefault(p["benefit_id"], []).append(p)
    return [benefit_out(r, prices.get(r["id"], [])) for r in rows]


async def get_benefits(host_id: int) -> BenefitsOut:
    async with db.connection() as conn:
        return BenefitsOut(benefits=await benefits_of(conn, host_id))


async def _check_voucher(conn: Connection, host_id: int, b: BenefitIn) -> None:
    if b.coupon_id is None or b.amount is not None or b.rule is not None or b.prices:
        raise _invalid("a voucher takes couponId only", tierCode=b.tier_code)
    coupon = await conn.fetchrow(
        "SELECT min_spend, dropped_at FROM coupons WHERE id = $1 AND host_id = $2",
        b.coupon_id,
        host_id,
    )
    if coupon is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no coupon {b.coupon_id} of yours")
    if coupon["min_spend"] != 0:
        raise _invalid("a member voucher has no threshold (minSpend 0)", couponId=b.coupon_id)
    if coupon["dropped_at"] is not None:
        # Viewers could claim a dropped coupon in the room; a member voucher is for the tier only.
        raise _invalid("choose a coupon not dropped into a room", couponId=b.coupon_id)


def _check_red_packet(b: BenefitIn) -> None:
    if b.amount is None or b.rule is None or b.coupon_id is not None or b.prices:
        raise _invalid("a member-day red packet takes amount and rule", tierCode=b.tier_code)
    try:
        parse_member_day(b.rule)
    except ValueError as exc:
        raise _invalid(str(exc), field="rule", tierCode=b.tier_code) from exc


async def _check_prices(conn: Connection, host_id: int, b: BenefitIn) -> None:
    if not b.prices or b.coupon_id is not None or b.amount is not None or b.rule is not None:
        raise _invalid("a member price takes prices (skuId, price)", tierCode=b.tier_code)
    sku_ids = [p.sku_id for p in b.prices]
    if len(set(sku_ids)) != len(sku_ids):
        raise _invalid("each SKU once", tierCode=b.tier_code)
    listed = {
        r["id"]: r["price"]
        for r in await conn.fetch(
            "SELECT s.id, s.price FROM skus s JOIN products p ON p.id = s.product_id"
            " WHERE s.id = ANY($1::int[]) AND p.host_id = $2",
            sku_ids,
            host_id,
        )
    }
    missing = sorted(set(sku_ids) - set(listed))
    if missing:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no SKU {missing[0]} of yours")
    above = [p.sku_id for p in b.prices if p.price >= listed[p.sku_id]]
    if above:
        raise _invalid("a member price is below the SKU's price", skuIds=above)


async def put_benefits(host_id: int, data: BenefitsIn) -> BenefitsOut:
    """Save the host's benefits (the whole list), checked: tiers of the ladder, one of each kind
    per tier, the host's own coupons and SKUs."""
    keys = [(b.tier_code, b.kind) for b in data.benefits]
    if len(set(keys)) != len(keys):
        raise _invalid("one benefit of each kind per tier")
    async with db.transaction() as tx:
        conn = tx.conn
        # One save at a time per host: the ladder row is the host's lock for its tier settings.
        await conn.execute(
            "SELECT 1 FROM member_tier_ladders WHERE host_id = $1 FOR UPDATE", host_id
        )
        codes = {
            r["code"]
            for r in await conn.fetch("SELECT code FROM member_tiers WHERE host_id = $1", host_id)
        }
        for b in data.benefits:
            if b.tier_code not in codes:
                raise _invalid(f"no tier {b.tier_code} on your ladder", tierCode=b.tier_code)
            if b.kind == "voucher":
                await _check_voucher(conn, host_id, b)
            elif b.kind == "red_packet":
                _check_red_packet(b)
            else:
                await _check_prices(conn, host_id, b)
        kept: list[int] = []
        for b in data.benefits:
            benefit_id = await conn.fetchval(
                "INSERT INTO member_benefits (host_id, tier_code, kind, enabled, coupon_id, amount,"
                " rule, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, now())"
                " ON CONFLICT (host_id, tier_code, kind) DO UPDATE SET enabled = EXCLUDED.enabled,"
                " coupon_id = EXCLUDED.coupon_id, amount = EXCLUDED.amount, rule = EXCLUDED.rule,"
                " updated_at = now() RETURNING id",
                host_id,
                b.tier_code,
                b.kind,
                b.enabled,
                b.coupon_id,
                b.amount,
                normal_rule(b.rule) if b.rule else None,
            )
            kept.append(benefit_id)
            await conn.execute("DELETE FROM member_prices WHERE benefit_id = $1", benefit_id)
            await conn.executemany(
                "INSERT INTO member_prices (benefit_id, sku_id, price) VALUES ($1, $2, $3)",
                [(benefit_id, p.sku_id, p.price) for p in b.prices],
            )
        # Off the list: never granted, gone; granted, disabled (its id keeps its grants unique).
        await conn.execute(
            "DELETE FROM member_benefits b WHERE host_id = $1 AND NOT (id = ANY($2::int[]))"
            " AND NOT EXISTS (SELECT 1 FROM benefit_grants g WHERE g.benefit_id = b.id)",
            host_id,
            kept,
        )
        await conn.execute(
            "UPDATE member_benefits SET enabled = false, updated_at = now()"
            " WHERE host_id = $1 AND NOT (id = ANY($2::int[])) AND enabled",
            host_id,
            kept,
        )
        await conn.execute(
            "DELETE FROM member_prices p USING member_benefits b"
            " WHERE p.benefit_id = b.id AND b.host_id = $1 AND NOT b.enabled",
            host_id,
        )
        return BenefitsOut(benefits=await benefits_of(conn, host_id))
