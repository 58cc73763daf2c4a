"""Order lifecycle jobs.

Each takes an id, re-reads the order under a lock and acts only if it is still due: run twice,
or late, it does the same as once. Sweepers find what was missed.
"""

from __future__ import annotations

from typing import Any

from livecommerce.domains.orders import idempotency, lifecycle
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.infra import db
from livecommerce.settings import Settings

SWEEP_BATCH = 1000


def _settings(ctx: dict[str, Any]) -> Settings:
    return ctx["settings"]


def _hooks(ctx: dict[str, Any]) -> OrderHooks:
    return ctx["wiring"].orders


async def cancel_unpaid_order(ctx: dict[str, Any], order_id: int) -> bool:
    return await lifecycle.cancel(_hooks(ctx), order_id, None, "payment_timeout") is not None


async def auto_confirm_order(ctx: dict[str, Any], order_id: int) -> bool:
    return await lifecycle.confirm(_settings(ctx), order_id, None) is not None


async def complete_order(ctx: dict[str, Any], order_id: int) -> bool:
    return await lifecycle.complete(_settings(ctx), _hooks(ctx), order_id, None) is not None


async def _due(sql: str, *args: Any) -> list[int]:
    async with db.connection() as conn:
        return [row["id"] for row in await conn.fetch(sql, *args)]


async def sweep_unpaid_orders(ctx: dict[str, Any]) -> int:
    ids = await _due(
        "SELECT id FROM orders"
        " WHERE status = 'pending_payment' AND payment_deadline <= now() ORDER BY id LIMIT $1",
        SWEEP_BATCH,
    )
    return sum([await cancel_unpaid_order(ctx, order_id) for order_id in ids])


async def sweep_shipped_orders(ctx: dict[str, Any]) -> int:
    ids = await _due(
        "SELECT id FROM orders"
        " WHERE status = 'shipped' AND shipped_at + $1::interval <= now()"
        " ORDER BY id LIMIT $2",
        _settings(ctx).auto_confirm_after,
        SWEEP_BATCH,
    )
    return sum([await auto_confirm_order(ctx, order_id) for order_id in ids])


async def sweep_received_orders(ctx: dict[str, Any]) -> int:
    ids = await _due(
        "SELECT id FROM orders"
        " WHERE status = 'received' AND after_sales_until <= now() ORDER BY id LIMIT $1",
        SWEEP_BATCH,
    )
    return sum([await complete_order(ctx, order_id) for order_id in ids])


async def purge_idempotency_keys(ctx: dict[str, Any]) -> int:
    async with db.transaction() as tx:
        conn = tx.conn
        return await idempotency.purge_expired(conn)


FUNCTIONS = [cancel_unpaid_order, auto_confirm_order, complete_order]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (sweep_unpaid_orders, {"second": 5}),
    (sweep_shipped_orders, {"second": 15}),
    (sweep_received_orders, {"second": 25}),
    (purge_idempotency_keys, {"minute": 7, "second": 0}),
]
