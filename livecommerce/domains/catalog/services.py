"""Catalog: a host's products and their SKUs. Viewers see only what is on shelf.

A change locks rows in the order written in `catalog/locks.py`: the product row, then its SKUs by
id.
"""

from __future__ import annotations

from typing import Any

from asyncpg import Connection

from livecommerce.domains.catalog.locks import lock_product, retried_once
from livecommerce.domains.catalog.schemas import (
    CreateProduct,
    ProductOut,
    ProductPage,
    SkuOut,
    SkuPatch,
    UpdateProduct,
)
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode

_PRODUCT_COLUMNS = (
    "p.id, p.host_id, p.title, p.description, p.images, p.on_shelf, p.created_at, p.updated_at"
)


def _not_found(product_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no product {product_id}")


async def _load(conn: Connection, rows: list[Any]) -> list[ProductOut]:
    ids = [row["id"] for row in rows]
    skus: dict[int, list[SkuOut]] = {i: [] for i in ids}
    for sku in await conn.fetch(
        "SELECT id, product_id, name, price, stock, sold FROM skus"
        " WHERE product_id = ANY($1::int[]) ORDER BY id",
        ids,
    ):
        skus[sku["product_id"]].append(
            SkuOut(
                id=sku["id"],
                name=sku["name"],
                price=sku["price"],
                stock=sku["stock"],
                sold=sku["sold"],
            )
        )
    return [
        ProductOut(
            id=row["id"],
            host_id=row["host_id"],
            title=row["title"],
            description=row["description"],
            images=list(row["images"] or []),
            on_shelf=row["on_shelf"],
            skus=skus[row["id"]],
            min_price=min((s.price for s in skus[row["id"]]), default=0),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )
        for row in rows
    ]


def _visible(product: ProductOut, actor: Actor | None) -> bool:
    return product.on_shelf or (
        actor is not None and (actor.id == product.host_id or actor.is_admin)
    )


async def create_product(host_id: int, data: CreateProduct) -> ProductOut:
    async with db.transaction() as tx:
        conn = tx.conn
        row = await conn.fetchrow(
            "INSERT INTO products"
            " (host_id, title, description, images, on_shelf, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, now(), now())"
            f" RETURNING {_PRODUCT_COLUMNS.replace('p.', '')}",
            host_id,
            data.title,
            data.description,
            data.images,
            data.on_shelf,
        )
        await conn.executemany(
            "INSERT INTO skus (product_id, name, price, stock, sold) VALUES ($1, $2, $3, $4, 0)",
            [(row["id"], sku.name, sku.price, sku.stock) for sku in data.skus],
        )
        return (await _load(conn, [row]))[0]


async def get_product(product_id: int, actor: Actor | None) -> ProductOut:
    async with db.connection() as conn:
        rows = await conn.fetch(
            f"SELECT {_PRODUCT_COLUMNS} FROM products p WHERE p.id = $1", product_id
        )
        products = await _load(conn, rows)
    if not products or not _visible(products[0], actor):
        raise _not_found(product_id)
    return products[0]


async def list_products(
    actor: Actor | None,
    *,
    host_id: int | None,
    query: str | None,
    include_off_shelf: bool,
    cursor: int | None,
    limit: int,
) -> ProductPage:
    conditions = ["($1::int IS NULL OR p.id < $1)"]
    args: list[int | str | None] = [cursor]
    if host_id is not None:
        args.append(host_id)
        conditions.append(f"p.host_id = ${len(args)}")
    if query:
        args.append(f"%{query}%")
        conditions.append(f"p.title ILIKE ${len(args)}")
    # Off-shelf products are shown only to their host (or an admin), and only when asked for.
    if include_off_shelf and actor is not None and not actor.is_admin:
        args.append(actor.id)
        conditions.append(f"(p.on_shelf OR p.host_id = ${len(args)})")
    elif not (include_off_shelf and actor is not None and actor.is_admin):
        conditions.append("p.on_shelf")
    args.append(limit + 1)
    sql = (
        f"SELECT {_PRODUCT_COLUMNS} FROM products p WHERE {' AND '.join(conditions)}"
        f" ORDER BY p.id DESC LIMIT ${len(args)}"
    )
    async with db.connection() as conn:
        rows = await conn.fetch(sql, *args)
        items = await _load(conn, rows[:limit])
    return ProductPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


async def update_product(product_id: int, actor: Actor, data: UpdateProduct) -> ProductOut:
    """Change a product and its SKUs, in the lock order of `catalog.locks` (the product row, then
    its SKUs by id), so an edit never deadlocks the orders selling the product."""
    return await retried_once(
        lambda: _update_product(product_id, actor, data), what=f"editing product {product_id}"
    )


def _sku_patches_in_lock_order(data: UpdateProduct) -> list[SkuPatch]:
    """Existing SKUs by ascending id (as orders lock them; stable, so a repeated id keeps its
    order), then the new ones, whose INSERT locks no SKU."""
    patches = data.skus or []
    changes = sorted((p for p in patches if p.id is not None), key=lambda p: p.id or 0)
    return changes + [p for p in patches if p.id is None]


async def _update_product(product_id: int, actor: Actor, data: UpdateProduct) -> ProductOut:
    async with db.transaction() as tx:
        conn = tx.conn
        owner = await lock_product(conn, product_id)
        if owner is None or (owner != actor.id and not actor.is_admin):
            raise _not_found(product_id)
        await conn.execute(
            "UPDATE products SET title = COALESCE($2, title),"
            " description = COALESCE($3, description),"
            " images = COALESCE($4, images), on_shelf = COALESCE($5, on_shelf),"
            " updated_at = now() WHERE id = $1",
            product_id,
            data.title,
            data.description,
            data.images,
            data.on_shelf,
        )
        for patch in _sku_patches_in_lock_order(data):
            if patch.id is None:
                if patch.name is None or patch.price is None or patch.stock is None:
                    raise DomainError(
                        ErrorCode.VALIDATION_ERROR,
                        detail="a new SKU needs name, price and stock",
                    )
                await conn.execute(
                    "INSERT INTO skus (product_id, name, price, stock, sold)"
                    " VALUES ($1, $2, $3, $4, 0)",
                    product_id,
                    patch.name,
                    patch.price,
                    patch.stock,
                )
                continue
            changed = await conn.execute(
                "UPDATE skus SET name = COALESCE($3, name), price = COALESCE($4, price),"
                " stock = COALESCE($5, stock)"
                " WHERE id = $1 AND product_id = $2",
                patch.id,
                product_id,
                patch.name,
                patch.price,
                patch.stock,
            )
            if changed == "UPDATE 0":
                raise DomainError(
                    ErrorCode.NOT_FOUND,
                    detail=f"product {product_id} has no SKU {patch.id}",
                )
        rows = await conn.fetch(
            f"SELECT {_PRODUCT_COLUMNS} FROM products p WHERE p.id = $1", product_id
        )
        return (await _load(conn, rows))[0]
