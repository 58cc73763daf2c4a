"""Member prices: OrderHooks.placed, before the coupon is held. Items of the SKUs a tier's
member-price benefit names are discounted to that price (orders.services.apply_discount, which
is additive: the coupon and points come off what is left). The checkout quote asks the same
prices through PromotionHooks.unit_prices, so the figure shown is the figure paid.

The buyer's tier is the one their member row holds; a buyer who has not paid this host yet (or
holds no tier) is priced as the ladder's lowest tier their growth (0) reaches, since every
buyer is the host's member. A member price never stacks with a flash-sale price: the lower one
wins (tier_rules.lowest_price); flash prices come with the flash-sale issue and pass here.
"""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains.members.tier_rules import lowest_price, tier_for
from livecommerce.domains.members.tiers import load_ladder
from livecommerce.domains.orders.services import apply_discount
from livecommerce.infra.db import Tx


async def tier_prices(
    conn: Connection, host_id: int, buyer_id: int, sku_ids: list[int]
) -> dict[int, int]:
    """{SKU id: member price} of the buyer's tier with this host, for these SKUs."""
    benefits = await conn.fetch(
        "SELECT id, tier_code FROM member_benefits"
        " WHERE host_id = $1 AND kind = 'member_price' AND enabled",
        host_id,
    )
    if not benefits:
        return {}
    held = await conn.fetchval(
        "SELECT tier_code FROM members WHERE host_id = $1 AND user_id = $2", host_id, buyer_id
    )
    if not held:
        ladder = await load_ladder(conn, host_id)
        base = tier_for(0, ladder.tiers) if ladder else None
        held = base.code if base else ""
    benefit = next((b["id"] for b in benefits if b["tier_code"] == held), None)
    if benefit is None:
        return {}
    return {
        r["sku_id"]: r["price"]
        for r in await conn.fetch(
            "SELECT sku_id, price FROM member_prices WHERE benefit_id = $1"
            " AND sku_id = ANY($2::int[])",
            benefit,
            sku_ids,
        )
    }


async def unit_prices(
    conn: Connection, host_id: int, buyer_id: int, units: dict[int, int]
) -> dict[int, int]:
    """PromotionHooks.unit_prices: {SKU id: unit price} the buyer pays, for the quote."""
    member = await tier_prices(conn, host_id, buyer_id, list(units))
    return {sku: lowest_price(unit, member.get(sku), None) for sku, unit in units.items()}


async def apply_member_prices(tx: Tx, order: Record, items: list[Record]) -> None:
    """OrderHooks.placed: each item of a member-priced SKU comes down to the member price."""
    conn = tx.conn
    prices = await tier_prices(
        conn, order["host_id"], order["buyer_id"], [i["sku_id"] for i in items]
    )
    shares: dict[int, int] = {}
    for item in items:
        if item["sku_id"] in prices:
            unit = lowest_price(item["unit_price"], prices[item["sku_id"]], None)
            off = min((item["unit_price"] - unit) * item["quantity"], item["paid_amount"])
            if off > 0:
                shares[item["id"]] = off
    if shares:
        await apply_discount(conn, order["id"], sum(shares.values()), shares=shares)
