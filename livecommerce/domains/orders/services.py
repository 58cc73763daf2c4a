"""Placing an order: stock taken atomically, prices snapshotted, the key remembered, in one
transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import msgspec
from asyncpg import Connection, Record

from livecommerce.domains.catalog.locks import retried_once
from livecommerce.domains.orders import addressing, idempotency
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.queries import order_out
from livecommerce.domains.orders.rules import allocate
from livecommerce.domains.orders.schemas import OrderOut, PlaceOrder
from livecommerce.infra import db, queue
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings


async def _take_stock(conn: Connection, sku_id: int, quantity: int) -> Record:
    """Decrement stock only if enough is left; the row lock orders concurrent buyers, the WHERE
    refuses the late ones. The products row is read, not locked (UPDATE ... FROM locks only
    the SKU)."""
    row = await conn.fetchrow(
        "UPDATE skus s SET stock = s.stock - $2, sold = s.sold + $2 FROM products p"
        " WHERE s.id = $1 AND p.id = s.product_id AND p.on_shelf AND s.stock >= $2"
        " RETURNING s.id, s.name, s.price, p.id AS product_id, p.title, p.host_id,"
        " coalesce(s.image, p.images[1]) AS image_url",
        sku_id,
        quantity,
    )
    if row is not None:
        return row
    found = await conn.fetchrow(
        "SELECT s.stock, p.on_shelf FROM skus s JOIN products p ON p.id = s.product_id"
        " WHERE s.id = $1",
        sku_id,
    )
    if found is None or not found["on_shelf"]:
        raise DomainError(
            ErrorCode.PRODUCT_UNAVAILABLE,
            detail=f"SKU {sku_id} is not for sale",
            skuId=sku_id,
        )
    raise DomainError(
        ErrorCode.OUT_OF_STOCK,
        detail=f"SKU {sku_id} has {found['stock']} left",
        skuId=sku_id,
        left=found["stock"],
        # What the buy sheet offers instead ("only 2 left"); 0 is sold out.
        available=found["stock"],
    )


async def place_order(
    settings: Settings, hooks: OrderHooks, buyer_id: int, data: PlaceOrder, idempotency_key: str
) -> tuple[int, bytes, bool]:
    """Place an order; returns (status, JSON body, replayed). A retry with the same key replays
    the first answer. `hooks.placed` run in the placing transaction (trace, coupon, chain)."""
    addressing.check_given(data)
    digest = idempotency.request_hash(data)
    return await retried_once(
        lambda: _place_order(settings, hooks, buyer_id, data, idempotency_key, digest),
        what="placing an order",
    )


async def _place_order(
    settings: Settings,
    hooks: OrderHooks,
    buyer_id: int,
    data: PlaceOrder,
    idempotency_key: str,
    digest: str,
) -> tuple[int, bytes, bool]:
    async with db.transaction() as tx:
        conn = tx.conn
        stored = await idempotency.claim(
            conn, buyer_id, idempotency_key, digest, settings.idempotency_ttl_hours
        )
        if stored is not None:
            return stored.status, stored.body, True
        # After the claim: a retry replays the first answer even if the entry is gone since.
        address = await addressing.copy_for_order(conn, buyer_id, data)
        quantities: dict[int, int] = defaultdict(int)
        for line in data.items:
            quantities[line.sku_id] += line.quantity
        # The lock order of catalog/locks.py: SKUs by ascending id, as a host's edit takes them
        # (after its product row). The product is only ever KEY SHARE-locked here (by the foreign
        # key checks of the items), which no edit's lock conflicts with.
        taken = [
            (await _take_stock(conn, sku_id, qty), qty)
            for sku_id, qty in sorted(quantities.items())
        ]
        hosts = {row["host_id"] for row, _ in taken}
        if len(hosts) != 1:
            raise DomainError(
                ErrorCode.MIXED_HOSTS,
                detail="an order holds the products of one host; place one order per host",
            )
        total = sum(row["price"] * qty for row, qty in taken)
        deadline = datetime.now(UTC) + settings.payment_timeout
        order = await conn.fetchrow(
            "INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount,"
            " pay_amount, refunded_amount,"
            " room_id, session_id, coupon_id, address, note, payment_deadline, points_used,"
            " created_at)"
            " VALUES ($1, $2, 'pending_payment', $3, 0, $3, 0, $4, $5, $6, $7, $8, $9, $10,"
            " now()) RETURNING *",
            buyer_id,
            hosts.pop(),
            total,
            data.room_id,
            data.session_id,
            data.user_coupon_id,
            address,
            data.note,
            deadline,
            # The points asked for; members' placed hook spends them (or refuses the order).
            data.points,
        )
        items = await conn.fetch(
            "INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, unit_price,"
            " quantity, amount, discount, paid_amount, refunded_amount, image_url)"
            " SELECT $1, u.product_id, u.sku_id, u.title, u.sku_name, u.unit_price, u.quantity,"
            " u.amount, 0, u.amount, 0, u.image_url"
            " FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::int[],"
            " $8::bigint[], $9::text[])"
            "   AS u(product_id, sku_id, title, sku_name, unit_price, quantity, amount, image_url)"
            " RETURNING *",
            order["id"],
            [r["product_id"] for r, _ in taken],
            [r["id"] for r, _ in taken],
            [r["title"] for r, _ in taken],
            [r["name"] for r, _ in taken],
            [r["price"] for r, _ in taken],
            [q for _, q in taken],
            [r["price"] * q for r, q in taken],
            [r["image_url"] for r, _ in taken],
        )
        for reaction in hooks.placed:
            await reaction(tx, order, list(items))
        body = msgspec.json.encode(await order_out(conn, order["id"]))
        await idempotency.remember(conn, buyer_id, idempotency_key, 201, body)
        order_id = order["id"]
        tx.after_commit(
            lambda: queue.enqueue(
                "cancel_unpaid_order",
                order_id,
                job_id=f"cancel-unpaid:{order_id}",
                defer_until=deadline,
            )
        )
    return 201, body, False


async def apply_discount(
    conn: Connection, order_id: int, discount: int, *, shares: dict[int, int] | None = None
) -> None:
    """Take `discount` fen more off an order, on top of what the hooks before took (a member
    price, then a coupon, then points, in the order `placed` runs them): spread over its items in
    proportion to what is still to pay on each, or as given by `shares` ({item id: fen}, e.g. a
    coupon that covers some products only). No item is discounted below zero."""
    items = await conn.fetch(
        "SELECT id, paid_amount FROM order_items WHERE order_id = $1 ORDER BY id", order_id
    )
    if shares is None:
        shares_list = allocate(discount, [row["paid_amount"] for row in items])
    else:
        shares_list = [shares.get(row["id"], 0) for row in items]
        if sum(shares_list) != discount or any(
            not 0 <= s <= row["paid_amount"] for row, s in zip(items, shares_list, strict=True)
        ):
            raise ValueError(
                f"discount shares {shares} do not spread {discount} fen over order {order_id}"
            )
    await conn.executemany(
        "UPDATE order_items SET discount = discount + $2, paid_amount = paid_amount - $2"
        " WHERE id = $1",
        [(row["id"], share) for row, share in zip(items, shares_list, strict=True)],
    )
    await conn.execute(
        "UPDATE orders SET discount_amount = discount_amount + $2,"
        " pay_amount = pay_amount - $2 WHERE id = $1",
        order_id,
        discount,
    )


async def get_order(order_id: int) -> OrderOut:
    async with db.connection() as conn:
        return await order_out(conn, order_id)
