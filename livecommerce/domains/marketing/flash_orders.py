"""Buying in a flash sale: the Redis gate takes the units (window, the buyer's limit, what is
left: one Lua call), then one PostgreSQL transaction writes the order with no row that every
buyer locks: not the SKU's (the sale's quantity was set aside when it was made), not the sale's
(read, never locked, and `flash_units` has no foreign key to it), not the host's escrow (paying
credits the order's own bucket, ledger/buckets.py).

Each unit an order holds is a `flash_units` row keyed (sale_id, unit_no): a unit the gate handed
out twice (a rebuild that raced an in-flight order) is refused by PostgreSQL, and the buyer's
take is retried once. The buyer's limit is checked again against the rows, under a lock of the
(sale, buyer) pair only, so a gate rebuilt in the middle of a buyer's requests can't let them
past it either. A cancelled unpaid order gives its units back: to the gate while the sale is on
(after COMMIT), to the SKU once the sale has ended (in the cancel's transaction).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import msgspec
import structlog
from asyncpg import Record, UniqueViolationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from livecommerce.domains.marketing import flash_gate
from livecommerce.domains.marketing.flash_schemas import BuyFlash
from livecommerce.domains.members.tier_rules import lowest_price
from livecommerce.domains.orders import addressing, idempotency, lifecycle
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.orders.queries import order_out
from livecommerce.domains.orders.schemas import OrderLine, PlaceOrder
from livecommerce.domains.payments.hooks import PaymentHooks
from livecommerce.infra import db
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

log = structlog.get_logger("marketing.flash")

_REFUSALS = {
    0: (ErrorCode.FLASH_SOLD_OUT, "已抢光: every unit of this flash sale is taken"),
    -2: (ErrorCode.FLASH_LIMIT_REACHED, "you hold as many units of this flash sale as allowed"),
    -3: (ErrorCode.FLASH_SOLD_OUT, "fewer units are left than you asked for"),
    -4: (ErrorCode.FLASH_NOT_STARTED, "this flash sale has not opened yet"),
    -5: (ErrorCode.FLASH_ENDED, "this flash sale is over"),
}

_SALE = (
    "SELECT f.id, f.room_id, f.host_id, f.product_id, f.sku_id, f.price, f.quantity,"
    " f.per_user_limit, f.starts_at, f.ends_at, f.status, s.name AS sku_name, p.title,"
    " coalesce(s.image, p.images[1]) AS image_url"
    " FROM flash_sales f JOIN skus s ON s.id = f.sku_id JOIN products p ON p.id = f.product_id"
    " WHERE f.id = $1"
)


# The sale's terms, read once a second per process rather than by every buyer: they never change
# but for the end, which drops the gate (its rebuild reads the status afresh) and leaves its units
# written in PostgreSQL (a late order's unit row is refused).
SALE_CACHE_SECONDS = 1.0
_sales: dict[int, tuple[float, Record]] = {}


async def _sale(sale_id: int) -> Record | None:
    cached = _sales.get(sale_id)
    if (
        cached is not None
        and time.monotonic() - cached[0] < SALE_CACHE_SECONDS
        and cached[1]["starts_at"] <= datetime.now(UTC)  # counting down: read it afresh
    ):
        return cached[1]
    async with db.connection() as conn:
        sale = await conn.fetchrow(_SALE, sale_id)
    if sale is not None:
        if len(_sales) > 1000:
            _sales.clear()
        _sales[sale_id] = (time.monotonic(), sale)
    return sale


class _UnitTaken(Exception):
    """PostgreSQL already has a holder of a unit the gate handed out."""


async def buy(
    settings: Settings,
    hooks: OrderHooks,
    redis: Redis,
    buyer_id: int,
    sale_id: int,
    data: BuyFlash,
    idempotency_key: str,
    payment_hooks: PaymentHooks | None = None,
) -> tuple[int, bytes, bool]:
    """Place a flash order; (status, JSON body, replayed) as orders.services.place_order. With
    `data.pay_with` "wallet" (and `payment_hooks`) it is paid in the same transaction."""
    sale = await _sale(sale_id)
    if sale is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no flash sale {sale_id}")
    if sale["status"] != "active":
        raise _refusal(-5, sale_id)
    order = PlaceOrder(
        items=[OrderLine(sku_id=sale["sku_id"], quantity=data.quantity)],
        room_id=sale["room_id"],
        session_id=data.session_id,
        address=data.address,
        address_id=data.address_id,
        note=data.note,
    )
    addressing.check_given(order)
    digest = idempotency.request_hash(data)
    for attempt in range(2):
        try:
            units = await _take(redis, sale, buyer_id, data.quantity)
        except DomainError as refused:
            # A retry of a request that bought is at the limit (or past the end) at the gate:
            # it gets its first answer back, as any retried order does.
            if refused.code not in (ErrorCode.FLASH_LIMIT_REACHED, ErrorCode.FLASH_ENDED):
                raise
            async with db.connection() as conn:
                first = await idempotency.stored(conn, buyer_id, idempotency_key, digest)
            if first is None:
                raise
            return first.status, first.body, True
        try:
            return await _write(
                settings,
                hooks,
                sale,
                buyer_id,
                order,
                units,
                key=idempotency_key,
                digest=digest,
                pay=payment_hooks if data.pay_with == "wallet" else None,
            )
        except _Replayed as replay:  # the first answer stands; these units were not needed
            await _give_back(redis, sale, units)
            return replay.status, replay.body, True
        except _UnitTaken:
            # Those units have a holder in PostgreSQL (the gate was rebuilt under an in-flight
            # order): they stay out of the gate; take others once.
            log.warning("flash_unit_taken_twice", sale_id=sale_id, units=units, attempt=attempt)
        except BaseException:
            await _give_back(redis, sale, units)
            raise
    raise DomainError(ErrorCode.BUSY, detail="please try again", retryAfter=1)


def _refusal(outcome: int, sale_id: int, count: int = 0) -> DomainError:
    code, detail = _REFUSALS[outcome]
    if outcome in (0, -3):
        return DomainError(code, detail=detail, saleId=sale_id, left=count)
    return DomainError(code, detail=detail, saleId=sale_id)


async def _take(redis: Redis, sale: Record, buyer_id: int, quantity: int) -> list[int]:
    try:
        taken = await flash_gate.take(redis, sale, buyer_id, quantity, datetime.now(UTC))
    except (RedisError, OSError) as exc:
        log.warning("flash_gate_unavailable", sale_id=sale["id"], error=str(exc))
        raise DomainError(
            ErrorCode.BUSY, detail="the flash sale is busy; retry in a moment", retryAfter=1
        ) from None
    if taken.outcome != 1:
        if taken.outcome == -1:
            raise DomainError(ErrorCode.BUSY, detail="please try again", retryAfter=1)
        raise _refusal(taken.outcome, sale["id"], taken.count)
    return list(taken.units)


async def _give_back(redis: Redis, sale: Record, units: list[int]) -> None:
    try:
        await flash_gate.give(redis, sale["room_id"], sale["id"], units)
    except (RedisError, OSError) as exc:  # the gate's rebuild finds them free in PostgreSQL
        log.warning("flash_units_not_given_back", sale_id=sale["id"], error=str(exc))


async def _write(
    settings: Settings,
    hooks: OrderHooks,
    sale: Record,
    buyer_id: int,
    data: PlaceOrder,
    units: list[int],
    *,
    key: str,
    digest: str,
    pay: PaymentHooks | None = None,
) -> tuple[int, bytes, bool]:
    quantity = len(units)
    async with db.transaction() as tx:
        conn = tx.conn
        stored = await idempotency.claim(
            conn, buyer_id, key, digest, settings.idempotency_ttl_hours
        )
        if stored is not None:
            raise _Replayed(stored.status, stored.body)
        address = await addressing.copy_for_order(conn, buyer_id, data)
        # The limit again, against the rows: only this buyer's requests for this sale queue here.
        # Two statements: the count's snapshot must be taken after the lock is granted.
        await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", sale["id"], buyer_id)
        held, now = await conn.fetchrow(
            "SELECT count(*), now() FROM flash_units WHERE sale_id = $1 AND buyer_id = $2",
            sale["id"],
            buyer_id,
        )
        if held + quantity > sale["per_user_limit"]:
            raise _refusal(-2, sale["id"])
        if not sale["starts_at"] <= now < sale["ends_at"]:
            raise _refusal(-4 if now < sale["starts_at"] else -5, sale["id"])
        # The member price, if lower, is applied by its placed hook on this unit price.
        unit_price = lowest_price(sale["price"], None, sale["price"])
        total = unit_price * quantity
        deadline = now + settings.payment_timeout
        order = await conn.fetchrow(
            "INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount,"
            " pay_amount, refunded_amount, room_id, session_id, address, note, payment_deadline,"
            " points_used, created_at)"
            " VALUES ($1, $2, 'pending_payment', $3, 0, $3, 0, $4, $5, $6, $7, $8, 0, $9)"
            " RETURNING *",
            buyer_id,
            sale["host_id"],
            total,
            sale["room_id"],
            data.session_id,
            address,
            data.note,
            deadline,
            now,
        )
        items = await conn.fetch(
            "INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, unit_price,"
            " quantity, amount, discount, paid_amount, refunded_amount, image_url, stock_reserved)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $8, 0, $9, true) RETURNING *",
            order["id"],
            sale["product_id"],
            sale["sku_id"],
            sale["title"],
            sale["sku_name"],
            unit_price,
            quantity,
            total,
            sale["image_url"],
        )
        try:
            await conn.execute(
                "INSERT INTO flash_units (sale_id, unit_no, order_id, buyer_id, created_at)"
                " SELECT $1, u, $2, $3, $4 FROM unnest($5::int[]) u",
                sale["id"],
                order["id"],
                buyer_id,
                now,
                units,
            )
        except UniqueViolationError:  # the whole transaction rolls back with it
            raise _UnitTaken from None
        for reaction in hooks.placed:
            await reaction(tx, order, list(items))
        if pay is not None:
            # One request and one transaction for the whole checkout, where place-then-pay takes
            # two of each (bench/flash.py). The row is read again: a placed hook may have priced
            # it (the member price).
            placed = await conn.fetchrow("SELECT * FROM orders WHERE id = $1", order["id"])
            await lifecycle.pay_from_wallet(tx, pay, placed)
        body = msgspec.json.encode(await order_out(conn, order["id"]))
        await idempotency.remember(conn, buyer_id, key, 201, body)
        # No deferred cancel job per order (arq's enqueue is a round trip of its own, ~6 % of
        # the server's time here): the unpaid-order sweeper (every minute) cancels it past its
        # deadline, and the cancel gives its units back.
    return 201, body, False


class _Replayed(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body


async def on_cancelled(tx: Tx, order: Record) -> None:
    """OrderHooks.cancelled: a flash order's units go back: to the gate while the sale is on
    (after COMMIT), to the SKU's stock once it has ended."""
    await _release(tx, order)


async def on_refunded(tx: Tx, order: Record, allocation: dict[int, int]) -> None:
    """OrderHooks.refunded: refunded in full before it shipped, its units go back as a cancelled
    order's do (restocking skips reserved items)."""
    if order["status"] == "refunded" and order["shipped_at"] is None:
        await _release(tx, order)


async def _release(tx: Tx, order: Record) -> None:
    # The sale's row is share-locked so an ending sale and this release see each other (the end
    # counts what this gives back, or this sees the sale ended); releases are few, and buyers
    # never take this lock.
    conn = tx.conn
    rows = await conn.fetch(
        "DELETE FROM flash_units WHERE order_id = $1 RETURNING sale_id, unit_no", order["id"]
    )
    if not rows:
        return
    sale_id = rows[0]["sale_id"]
    units = [row["unit_no"] for row in rows]
    sale = await conn.fetchrow(
        "SELECT id, room_id, sku_id, status FROM flash_sales WHERE id = $1 FOR SHARE", sale_id
    )
    if sale["status"] == "ended":
        await conn.executemany(
            "INSERT INTO flash_units (sale_id, unit_no, created_at) VALUES ($1, $2, now())",
            [(sale_id, unit) for unit in units],
        )
        await conn.execute(
            "UPDATE skus SET stock = stock + $2, sold = sold - $2 WHERE id = $1",
            sale["sku_id"],
            len(units),
        )
        await conn.execute(
            "UPDATE flash_sales SET sold = sold - $2, returned = returned + $2 WHERE id = $1",
            sale_id,
            len(units),
        )
        return
    redis = flash_gate_redis()
    if redis is not None:
        room_id = sale["room_id"]
        tx.after_commit(lambda: _give_back_after(redis, room_id, sale_id, units))


async def _give_back_after(redis: Redis, room_id: int, sale_id: int, units: list[int]) -> None:
    try:
        await flash_gate.give(redis, room_id, sale_id, units)
    except (RedisError, OSError) as exc:
        log.warning("flash_units_not_given_back", sale_id=sale_id, error=str(exc))


def flash_gate_redis() -> Redis | None:
    from livecommerce.domains.live import events as room_events

    return room_events.redis()
