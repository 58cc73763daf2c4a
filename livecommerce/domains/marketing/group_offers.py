"""A product's group terms (拼团): the host sets them; everyone reads them with the product's open
groups (还差 N 人, and the time left)."""

from __future__ import annotations

from datetime import UTC, datetime

from asyncpg import Connection

from livecommerce.domains.catalog.locks import lock_product
from livecommerce.domains.marketing.group_rules import check_terms, seats_left
from livecommerce.domains.marketing.group_schemas import (
    GroupOfferIn,
    GroupOfferOut,
    GroupPriceOut,
    OpenGroupOut,
)
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode

OPEN_GROUPS_SHOWN = 10


def _no_offer(product_id: int) -> DomainError:
    return DomainError(
        ErrorCode.NOT_FOUND, detail=f"product {product_id} has no group buy", productId=product_id
    )


async def prices_of(conn: Connection, product_ids: list[int]) -> dict[int, list[GroupPriceOut]]:
    """{product: its SKUs' group prices beside their own}, SKUs by id."""
    rows = await conn.fetch(
        "SELECT gp.product_id, gp.sku_id, gp.price, s.price AS list_price FROM group_buy_prices gp"
        " JOIN skus s ON s.id = gp.sku_id WHERE gp.product_id = ANY($1::int[])"
        " ORDER BY gp.sku_id",
        product_ids,
    )
    found: dict[int, list[GroupPriceOut]] = {}
    for row in rows:
        found.setdefault(row["product_id"], []).append(
            GroupPriceOut(sku_id=row["sku_id"], price=row["price"], list_price=row["list_price"])
        )
    return found


async def open_groups(conn: Connection, product_id: int) -> list[OpenGroupOut]:
    """The groups one can join now: nearly full first, then the soonest to close."""
    rows = await conn.fetch(
        "SELECT g.id, g.group_size, g.paid_count, g.expires_at, u.display_name"
        " FROM group_buys g JOIN users u ON u.id = g.leader_id"
        " WHERE g.product_id = $1 AND g.status = 'open' AND g.expires_at > now()"
        "   AND g.paid_count < g.group_size"
        " ORDER BY g.group_size - g.paid_count, g.expires_at, g.id LIMIT $2",
        product_id,
        OPEN_GROUPS_SHOWN,
    )
    return [
        OpenGroupOut(
            id=row["id"],
            leader_name=row["display_name"],
            seats_left=seats_left(row["group_size"], row["paid_count"]),
            expires_at=row["expires_at"],
        )
        for row in rows
    ]


async def _offer_out(conn: Connection, product_id: int, *, with_groups: bool) -> GroupOfferOut:
    row = await conn.fetchrow("SELECT * FROM group_buy_offers WHERE product_id = $1", product_id)
    if row is None:
        raise _no_offer(product_id)
    return GroupOfferOut(
        product_id=product_id,
        enabled=row["enabled"],
        group_size=row["group_size"],
        hours=row["hours"],
        pays_commission=row["pays_commission"],
        prices=(await prices_of(conn, [product_id])).get(product_id, []),
        open_groups=await open_groups(conn, product_id) if with_groups else [],
        server_now=datetime.now(UTC),
    )


async def set_offer(product_id: int, actor: Actor, data: GroupOfferIn) -> GroupOfferOut:
    """The host (or an admin) sets the product's terms. Running groups keep the size and hours
    they were opened with."""
    prices = {line.sku_id: line.price for line in data.prices}
    async with db.transaction() as tx:
        conn = tx.conn
        # The product row first (catalog/locks.py), as a host's product edit takes it.
        host_id = await lock_product(conn, product_id)
        if host_id is None or (host_id != actor.id and not actor.is_admin):
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no product {product_id}")
        list_prices = {
            row["id"]: row["price"]
            for row in await conn.fetch(
                "SELECT id, price FROM skus WHERE product_id = $1", product_id
            )
        }
        check_terms(data.group_size, data.hours, prices, list_prices)
        await conn.execute(
            "INSERT INTO group_buy_offers (product_id, host_id, enabled, group_size, hours,"
            " pays_commission, updated_at) VALUES ($1, $2, $3, $4, $5, $6, now())"
            " ON CONFLICT (product_id) DO UPDATE SET enabled = $3, group_size = $4, hours = $5,"
            " pays_commission = $6, updated_at = now()",
            product_id,
            host_id,
            data.enabled,
            data.group_size,
            data.hours,
            data.pays_commission,
        )
        await conn.execute("DELETE FROM group_buy_prices WHERE product_id = $1", product_id)
        await conn.executemany(
            "INSERT INTO group_buy_prices (sku_id, product_id, price) VALUES ($1, $2, $3)",
            [(sku_id, product_id, price) for sku_id, price in sorted(prices.items())],
        )
        return await _offer_out(conn, product_id, with_groups=False)


async def get_offer(product_id: int, viewer: Actor | None) -> GroupOfferOut:
    """The terms and open groups of a product on shelf; a disabled offer or an off-shelf product
    is its host's (and the operators') only."""
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT p.host_id, p.on_shelf, o.enabled FROM products p"
            " JOIN group_buy_offers o ON o.product_id = p.id WHERE p.id = $1",
            product_id,
        )
        owner = (
            viewer is not None
            and row is not None
            and (viewer.id == row["host_id"] or viewer.is_admin)
        )
        if row is None or not (owner or (row["on_shelf"] and row["enabled"])):
            raise _no_offer(product_id)
        return await _offer_out(conn, product_id, with_groups=True)
