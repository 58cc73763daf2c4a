"""What an order would cost before it is placed: the items' prices, and what each of the buyer's
coupons would take off them.

The page used to work the discount out in JavaScript, a second pricing that could drift from
the one the order is charged with. A quote prices with the same pure rules (rules.py) and the
same coupon terms (`checkout.terms_of`) that `checkout.hold_coupon` applies when the order is
placed, so the figure shown is the figure paid. It only reads: no stock is taken and no coupon
is held, so it can be asked again on every change of the buy sheet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from asyncpg import Connection, Record
from litestar import Controller, post
from litestar.di import Provide

from livecommerce.domains.promotions.checkout import lines_in_scope, terms_of
from livecommerce.domains.promotions.hooks import PromotionHooks
from livecommerce.domains.promotions.quote_schemas import QuotedCoupon, QuoteOut, QuoteRequest
from livecommerce.domains.promotions.rules import price_with_coupon, threshold_met
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, authenticated, provide_actor
from livecommerce.infra.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class _Item:
    product_id: int
    amount: int  # fen: unit price x quantity


async def _priced_items(conn: Connection, quantities: dict[int, int]) -> tuple[int, list[_Item]]:
    """(host, one item per SKU in ascending SKU order), refused with the codes placing the order
    would answer, so the page learns of an off-shelf SKU or a mixed cart before paying."""
    rows = {
        row["id"]: row
        for row in await conn.fetch(
            "SELECT s.id, s.price, p.id AS product_id, p.host_id, p.on_shelf"
            " FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = ANY($1::int[])",
            list(quantities),
        )
    }
    items: list[_Item] = []
    hosts: set[int] = set()
    for sku_id in sorted(quantities):
        row = rows.get(sku_id)
        if row is None or not row["on_shelf"]:
            raise DomainError(
                ErrorCode.PRODUCT_UNAVAILABLE, detail=f"SKU {sku_id} is not for sale", skuId=sku_id
            )
        hosts.add(row["host_id"])
        items.append(_Item(product_id=row["product_id"], amount=row["price"] * quantities[sku_id]))
    if len(hosts) != 1:
        raise DomainError(
            ErrorCode.MIXED_HOSTS,
            detail="an order holds the products of one host; place one order per host",
        )
    return hosts.pop(), items


def _priced_copy(copy: Record, items: list[_Item], now: datetime) -> QuotedCoupon:
    """One copy against the items, checked in the order `hold_coupon` checks it (validity,
    scope, threshold), so a copy called applicable here is one the order accepts."""

    def refused(reason: ErrorCode) -> QuotedCoupon:
        return QuotedCoupon(
            user_coupon_id=copy["user_coupon_id"],
            coupon_id=copy["coupon_id"],
            title=copy["title"],
            discount_amount=0,
            applicable=False,
            reason=reason.value,
        )

    if now < copy["valid_from"]:
        return refused(ErrorCode.COUPON_NOT_YET_VALID)
    lines = lines_in_scope(copy["product_ids"], [(i.product_id, i.amount) for i in items])
    if not any(line.eligible for line in lines):
        return refused(ErrorCode.COUPON_NOT_APPLICABLE)
    terms = terms_of(copy)
    if not threshold_met(terms, lines):
        return refused(ErrorCode.COUPON_THRESHOLD_NOT_MET)
    return QuotedCoupon(
        user_coupon_id=copy["user_coupon_id"],
        coupon_id=copy["coupon_id"],
        title=copy["title"],
        discount_amount=sum(price_with_coupon(terms, lines)),
        applicable=True,
    )


async def _refuse_unlisted(conn: Connection, buyer_id: int, copy_id: int, now: datetime) -> None:
    """The copy asked for is not among the buyer's usable copies of this host: refuse it as
    placing the order would (someone else's copy is not found, not forbidden: ids don't leak)."""
    row = await conn.fetchrow(
        "SELECT u.user_id, u.status, u.valid_until FROM user_coupons u WHERE u.id = $1", copy_id
    )
    if row is None or row["user_id"] != buyer_id:
        raise DomainError(
            ErrorCode.NOT_FOUND, detail=f"you have no coupon {copy_id}", userCouponId=copy_id
        )
    if row["status"] != "available":
        raise DomainError(
            ErrorCode.COUPON_UNAVAILABLE,
            detail="this coupon is already used or held by another order",
            userCouponId=copy_id,
        )
    if now >= row["valid_until"]:
        raise DomainError(
            ErrorCode.COUPON_EXPIRED, detail="this coupon has expired", userCouponId=copy_id
        )
    raise DomainError(
        ErrorCode.COUPON_NOT_APPLICABLE,
        detail="this coupon is for another host's products",
        userCouponId=copy_id,
    )


async def _at_buyers_prices(
    conn: Connection,
    hooks: PromotionHooks,
    ids: tuple[int, int],
    quantities: dict[int, int],
    items: list[_Item],
) -> list[_Item]:
    """The items at the unit prices the buyer pays (a member price, which the placed order takes
    off before the coupon); `ids` is (host, buyer). Items are in ascending SKU order."""
    skus = sorted(quantities)
    units = {sku: item.amount // quantities[sku] for sku, item in zip(skus, items, strict=True)}
    for prices in hooks.unit_prices:
        asked = await prices(conn, ids[0], ids[1], dict(units))
        units = {sku: min(unit, asked.get(sku, unit)) for sku, unit in units.items()}
    return [
        _Item(product_id=item.product_id, amount=units[sku] * quantities[sku])
        for sku, item in zip(skus, items, strict=True)
    ]


async def quote(
    buyer_id: int,
    data: QuoteRequest,
    hooks: PromotionHooks = PromotionHooks(),  # noqa: B008 - frozen, shared on purpose
) -> QuoteOut:
    """Price the items with the copy asked for, and list what every usable copy would give.

    A listed copy that does not apply (not yet valid, outside its scope, below its threshold)
    is not an error: the quote comes back without a discount and the copy carries the reason,
    because the buyer is still choosing (one more item may reach the threshold).
    """
    quantities: dict[int, int] = defaultdict(int)
    for line in data.items:
        quantities[line.sku_id] += line.quantity
    now = datetime.now(UTC)
    async with db.connection() as conn:
        host_id, listed = await _priced_items(conn, quantities)
        items = await _at_buyers_prices(conn, hooks, (host_id, buyer_id), quantities, listed)
        copies = await conn.fetch(
            "SELECT u.id AS user_coupon_id, u.valid_from, u.valid_until, c.id AS coupon_id,"
            " c.title, c.kind, c.amount_off, c.percent_off_bp, c.max_discount, c.min_spend,"
            " c.product_ids FROM user_coupons u JOIN coupons c ON c.id = u.coupon_id"
            " WHERE u.user_id = $1 AND c.host_id = $2 AND u.status = 'available'"
            " AND u.valid_until > $3 ORDER BY u.valid_until, u.id",
            buyer_id,
            host_id,
            now,
        )
        coupons = [_priced_copy(copy, items, now) for copy in copies]
        asked = data.user_coupon_id
        if asked is not None and all(c.user_coupon_id != asked for c in coupons):
            await _refuse_unlisted(conn, buyer_id, asked, now)
    applied = next((c for c in coupons if c.user_coupon_id == asked and c.applicable), None)
    # max() keeps the first of equals: on a tie, the copy that expires soonest.
    best = max(
        (c for c in coupons if c.discount_amount > 0), key=lambda c: c.discount_amount, default=None
    )
    total = sum(item.amount for item in listed)
    # A member price is part of the discount, as on the placed order; the coupon's comes on top.
    discount = total - sum(item.amount for item in items)
    discount += applied.discount_amount if applied else 0
    return QuoteOut(
        total_amount=total,
        discount_amount=discount,
        pay_amount=total - discount,
        user_coupon_id=applied.user_coupon_id if applied else None,
        coupons=coupons,
        best_user_coupon_id=best.user_coupon_id if best else None,
    )


class QuoteController(Controller):
    """The price of a cart before checkout, for the buy sheet."""

    path = "/api/checkout"
    tags = ["promotions"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/quote", status_code=200)
    async def checkout_quote(
        self, actor: Actor, data: QuoteRequest, promotion_hooks: PromotionHooks
    ) -> QuoteOut:
        """What these items cost with `userCouponId` (totalAmount, discountAmount, payAmount, in
        fen), and what each of your usable coupons of this host would take off, or why it
        can't (`reason`), with the best one. 409 product_unavailable, 400 mixed_hosts, 404 for a
        coupon that isn't yours. Read-only: nothing is reserved until the order is placed."""
        return await quote(actor.id, data, promotion_hooks)


CONTROLLERS = [QuoteController]
