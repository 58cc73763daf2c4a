"""How product and SKU rows are locked: one order for every path, so none deadlocks another.

Lock order (found from outside: orders and host edits on one product answered 500
DeadlockDetectedError, an order holding a SKU and waiting for the product, an edit the reverse):

1. The product row, and only ever `FOR NO KEY UPDATE` (what an UPDATE of its columns takes
   anyway): host edits, commission rates. Never `FOR UPDATE` or `FOR SHARE`: every new order item
   (and showcase row) checks its foreign key with `FOR KEY SHARE` on the product while the order
   already holds its SKUs. `FOR NO KEY UPDATE` does not conflict with that, `FOR UPDATE` does.
2. Its SKU rows, in ascending id: placing an order (`UPDATE skus` one SKU at a time, ids
   sorted), a host's SKU patches (sorted by id before they are applied), restocking a cancelled
   or refunded order (locked with `ORDER BY id` first).
3. Ledger accounts after all of these (a host's escrow bucket is shared by the host's orders of
   that bucket, ledger/buckets.py: held shortest).

Placing an order, the hot path, takes SKUs only; it never waits for an edit except on a SKU row,
and an edit takes SKU rows in the same id order, so no cycle can form. The order path pays
nothing for this: the edits carry the rule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from asyncpg import Connection
from asyncpg.exceptions import TransactionRollbackError

from livecommerce.infra.errors import DomainError, ErrorCode

log = structlog.get_logger("catalog")

T = TypeVar("T")


async def lock_product(conn: Connection, product_id: int) -> int | None:
    """Step 1 of the lock order: lock a product row for a change; its host's id (None: no such
    product)."""
    host_id: int | None = await conn.fetchval(
        "SELECT host_id FROM products WHERE id = $1 FOR NO KEY UPDATE", product_id
    )
    return host_id


async def retried_once(run: Callable[[], Awaitable[T]], *, what: str) -> T:
    """Run a whole transaction (`run` opens it); if PostgreSQL aborts it as a deadlock victim or
    a serialization failure, run it once more, then answer 503 `busy`, never a 500.

    A last resort: the lock order above keeps these paths apart. A retry is safe because the
    aborted attempt left nothing behind (effects wait for COMMIT). Not for use inside an outer
    transaction, which the abort has ended too."""
    try:
        return await run()
    except TransactionRollbackError as exc:
        log.warning("transaction_retried", what=what, error=f"{type(exc).__name__}: {exc}"[:300])
    try:
        return await run()
    except TransactionRollbackError:
        raise DomainError(
            ErrorCode.BUSY,
            detail=f"{what} collided with another change; retry in a moment",
            retryAfter=1,
        ) from None
