"""A host's per-product commission rates: an override of the platform's rates per level."""

from __future__ import annotations

import json
from typing import Any

from asyncpg import Connection

from livecommerce.domains.catalog.locks import lock_product
from livecommerce.domains.distribution import config
from livecommerce.domains.distribution.rules import ensure_within_cap, rates_for
from livecommerce.domains.distribution.schemas import CommissionRatesOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings


def _decode(raw: Any) -> list[int] | None:
    return json.loads(raw) if isinstance(raw, str) else raw


async def overrides(conn: Connection, product_ids: list[int]) -> dict[int, list[int] | None]:
    """{product: its host's rates per level, None: the platform's} of the products that exist."""
    rows = await conn.fetch(
        "SELECT id, commission_rates FROM products WHERE id = ANY($1::int[])", product_ids
    )
    return {row["id"]: _decode(row["commission_rates"]) for row in rows}


async def set_rates(
    env: Settings, product_id: int, actor: Actor, rates: list[int] | None
) -> CommissionRatesOut:
    async with db.transaction() as tx:
        conn = tx.conn
        # The product row in the catalog's lock order (catalog/locks.py): FOR UPDATE here made
        # every order of the product wait on its items' foreign key check.
        owner = await lock_product(conn, product_id)
        if owner is None or (owner != actor.id and not actor.is_admin):
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no product {product_id}")
        settings = await config.load(conn, env)
        if rates is not None:
            ensure_within_cap(rates, settings.rate_cap_bp)
        await conn.execute(
            "UPDATE products SET commission_rates = $2, updated_at = now() WHERE id = $1",
            product_id,
            json.dumps(rates) if rates is not None else None,
        )
    return CommissionRatesOut(
        product_id=product_id, rates_bp=rates, effective_bp=rates_for(settings, rates)
    )


async def get_rates(env: Settings, product_id: int, actor: Actor | None) -> CommissionRatesOut:
    """A product's rates, for whoever may see the product: an off-shelf product is its host's
    (and the operators') only, here as on GET /api/products/{id}."""
    async with db.connection() as conn:
        found = await overrides(conn, [product_id])
        visible = await conn.fetchval(
            "SELECT on_shelf OR host_id = $2 OR $3 FROM products WHERE id = $1",
            product_id,
            actor.id if actor else None,
            bool(actor and actor.is_admin),
        )
        if product_id not in found or not visible:
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no product {product_id}")
        settings = await config.load(conn, env)
    rates = found[product_id]
    return CommissionRatesOut(
        product_id=product_id, rates_bp=rates, effective_bp=rates_for(settings, rates)
    )
