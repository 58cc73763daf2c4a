"""Catalog: a host's products and their SKUs. Viewers see only what is on shelf.

A change locks rows in the order written in `catalog/locks.py`: the product row, then its SKUs by
id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from asyncpg import Connection, ForeignKeyViolationError, RestrictViolationError

from livecommerce.domains.accounts import standing
from livecommerce.domains.catalog import specs as spec_rules
from livecommerce.domains.catalog.locks import lock_product, retried_once
from livecommerce.domains.catalog.schemas import (
    MAX_SKUS,
    CreateProduct,
    ProductOut,
    ProductPage,
    SkuOut,
    SkuPatch,
    SpecOut,
    UpdateProduct,
)
from livecommerce.infra import db, media
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode

_PRODUCT_COLUMNS = (
    "p.id, p.host_id, p.title, p.description, p.images, p.specs, p.on_shelf, p.created_at,"
    " p.updated_at"
)


def _not_found(product_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no product {product_id}")


def _invalid(detail: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, detail=detail)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _sku_out(row: Any, cover: str | None) -> SkuOut:
    shown = row["image"] or cover
    return SkuOut(
        id=row["id"],
        name=row["name"],
        price=row["price"],
        stock=row["stock"],
        sold=row["sold"],
        spec_values=list(row["spec_values"] or []),
        image=row["image"],
        image_url=shown,
        thumb_url=media.thumb_url_or_none(shown),
    )


async def _load(conn: Connection, rows: list[Any]) -> list[ProductOut]:
    ids = [row["id"] for row in rows]
    sku_rows: dict[int, list[Any]] = {i: [] for i in ids}
    for sku in await conn.fetch(
        "SELECT id, product_id, name, price, stock, sold, spec_values, image FROM skus"
        " WHERE product_id = ANY($1::int[]) ORDER BY id",
        ids,
    ):
        sku_rows[sku["product_id"]].append(sku)
    products = []
    for row in rows:
        images = list(row["images"] or [])
        cover = images[0] if images else None
        skus = [_sku_out(sku, cover) for sku in sku_rows[row["id"]]]
        products.append(
            ProductOut(
                id=row["id"],
                host_id=row["host_id"],
                title=row["title"],
                description=row["description"],
                images=images,
                thumbs=[media.thumb_url(url) for url in images],
                image_url=cover,
                thumb_url=media.thumb_url_or_none(cover),
                specs=[SpecOut(name=s["name"], values=s["values"]) for s in _json(row["specs"])],
                on_shelf=row["on_shelf"],
                skus=skus,
                min_price=min((s.price for s in skus), default=0),
                created_at=row["created_at"],
                updated_at=row["updated_at"],
            )
        )
    return products


def _visible(product: ProductOut, actor: Actor | None) -> bool:
    return product.on_shelf or (
        actor is not None and (actor.id == product.host_id or actor.is_admin)
    )


async def check_pictures(conn: Connection, urls: Iterable[str], owners: Iterable[int]) -> None:
    """Every picture of ours (`/media/…`) in `urls` is a full image one of `owners` uploaded:
    a product can't show a key nobody stored, a thumbnail, or another user's upload."""
    keys: dict[str, str] = {}
    for url in urls:
        if not url.startswith(media.URL_PREFIX):
            continue
        key = media.key_of(url)
        if key is None:
            raise _invalid(f"{url[:80]} is not an uploaded picture")
        keys[key] = url
    if not keys:
        return
    found = {
        row["key"]
        for row in await conn.fetch(
            "SELECT key FROM uploads WHERE key = ANY($1::text[]) AND owner_id = ANY($2::int[])",
            list(keys),
            list(set(owners)),
        )
    }
    for key, url in keys.items():
        if key not in found:
            raise _invalid(f"{url[:80]} is not one of your uploaded pictures")


async def create_product(host_id: int, data: CreateProduct) -> ProductOut:
    specs = spec_rules.spec_dicts(data.specs)
    names = []
    for sku in data.skus:
        name = spec_rules.derived_name(sku.name, sku.spec_values)
        if name is None:
            raise _invalid("a SKU needs a name, or a value of each spec")
        names.append(name)
    spec_rules.check_fit(specs, [(n, s.spec_values) for n, s in zip(names, data.skus, strict=True)])
    async with db.transaction() as tx:
        conn = tx.conn
        await standing.ensure_not_suspended(conn, host_id, "host")
        await check_pictures(
            conn, [*data.images, *(s.image for s in data.skus if s.image)], [host_id]
        )
        row = await conn.fetchrow(
            "INSERT INTO products"
            " (host_id, title, description, images, specs, on_shelf, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, $6, now(), now())"
            f" RETURNING {_PRODUCT_COLUMNS.replace('p.', '')}",
            host_id,
            data.title,
            data.description,
            data.images,
            json.dumps(specs, ensure_ascii=False),
            data.on_shelf,
        )
        await conn.executemany(
            "INSERT INTO skus (product_id, name, price, stock, sold, spec_values, image)"
            " VALUES ($1, $2, $3, $4, 0, $5, $6)",
            [
                (row["id"], name, sku.price, sku.stock, sku.spec_values, sku.image)
                for name, sku in zip(names, data.skus, strict=True)
            ],
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
    new_specs = None if data.specs is None else spec_rules.spec_dicts(data.specs)
    async with db.transaction() as tx:
        conn = tx.conn
        owner = await lock_product(conn, product_id)
        if owner is None or (owner != actor.id and not actor.is_admin):
            raise _not_found(product_id)
        patches = _sku_patches_in_lock_order(data)
        await check_pictures(
            conn,
            [*(data.images or []), *(p.image for p in patches if p.image)],
            [owner, actor.id],
        )
        await conn.execute(
            "UPDATE products SET title = COALESCE($2, title),"
            " description = COALESCE($3, description),"
            " images = COALESCE($4, images), on_shelf = COALESCE($5, on_shelf),"
            " specs = COALESCE($6::jsonb, specs), updated_at = now() WHERE id = $1",
            product_id,
            data.title,
            data.description,
            data.images,
            data.on_shelf,
            None if new_specs is None else json.dumps(new_specs, ensure_ascii=False),
        )
        for patch in patches:
            if patch.id is None:
                await _add_sku(conn, product_id, patch)
            elif patch.remove:
                await _remove_sku(conn, product_id, patch.id)
            else:
                await _change_sku(conn, product_id, patch)
        await _check_skus(conn, product_id)
        rows = await conn.fetch(
            f"SELECT {_PRODUCT_COLUMNS} FROM products p WHERE p.id = $1", product_id
        )
        return (await _load(conn, rows))[0]


async def _add_sku(conn: Connection, product_id: int, patch: SkuPatch) -> None:
    name = spec_rules.derived_name(patch.name, patch.spec_values or [])
    if name is None or patch.price is None or patch.stock is None or patch.remove:
        raise _invalid("a new SKU needs price and stock, and a name or a value of each spec")
    await conn.execute(
        "INSERT INTO skus (product_id, name, price, stock, sold, spec_values, image)"
        " VALUES ($1, $2, $3, $4, 0, $5, $6)",
        product_id,
        name,
        patch.price,
        patch.stock,
        patch.spec_values or [],
        patch.image or None,
    )


async def _change_sku(conn: Connection, product_id: int, patch: SkuPatch) -> None:
    # New spec values without a name rename the SKU after them.
    name = patch.name or (
        spec_rules.derived_name(None, patch.spec_values) if patch.spec_values else None
    )
    changed = await conn.execute(
        "UPDATE skus SET name = COALESCE($3, name), price = COALESCE($4, price),"
        " stock = COALESCE($5, stock), spec_values = COALESCE($6, spec_values),"
        " image = CASE WHEN $7::text IS NULL THEN image ELSE NULLIF($7::text, '') END"
        " WHERE id = $1 AND product_id = $2",
        patch.id,
        product_id,
        name,
        patch.price,
        patch.stock,
        patch.spec_values,
        patch.image,
    )
    if changed == "UPDATE 0":
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"product {product_id} has no SKU {patch.id}")


async def _remove_sku(conn: Connection, product_id: int, sku_id: int) -> None:
    """Delete a SKU nobody ordered. Its row is locked first (in the SKU id order), so an order
    placing it either committed before (its item is seen: refused) or waits and then finds it
    gone; an ordered SKU stays, for the orders that name it (set its stock to 0 instead)."""
    locked = await conn.fetchval(
        "SELECT id FROM skus WHERE id = $1 AND product_id = $2 FOR UPDATE", sku_id, product_id
    )
    if locked is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"product {product_id} has no SKU {sku_id}")
    ordered = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM order_items WHERE sku_id = $1)", sku_id
    )
    if ordered:
        raise _sku_has_orders(sku_id)
    # Order items reference SKUs ON DELETE CASCADE: the check above, under the row lock, is
    # what keeps an ordered SKU (and its orders) in place. A giveaway's product prize names its
    # SKU ON DELETE RESTRICT: that SKU stays too (the whole edit is refused).
    try:
        await conn.execute("DELETE FROM skus WHERE id = $1", sku_id)
    except (ForeignKeyViolationError, RestrictViolationError):
        raise DomainError(
            ErrorCode.SKU_HAS_ORDERS,
            detail=f"SKU {sku_id} is a giveaway prize, so it stays; set its stock to 0 instead",
        ) from None


def _sku_has_orders(sku_id: int) -> DomainError:
    return DomainError(
        ErrorCode.SKU_HAS_ORDERS,
        detail=f"SKU {sku_id} has been ordered, so it stays; set its stock to 0 to stop selling it",
        skuId=sku_id,
    )


async def _check_skus(conn: Connection, product_id: int) -> None:
    """After an edit: one SKU at least, at most MAX_SKUS, and all of them fit the specs."""
    specs = _json(await conn.fetchval("SELECT specs FROM products WHERE id = $1", product_id))
    skus = await conn.fetch(
        "SELECT name, spec_values FROM skus WHERE product_id = $1 ORDER BY id", product_id
    )
    if not skus:
        raise _invalid("a product keeps one SKU at least")
    if len(skus) > MAX_SKUS:
        raise _invalid(f"a product has at most {MAX_SKUS} SKUs")
    spec_rules.check_fit(specs, [(row["name"], list(row["spec_values"] or [])) for row in skus])
