"""The order's port: what other domains do when an order is placed, paid, cancelled, completed
or refunded.

Filled in one place, `livecommerce/wiring.py`, and passed to the services that run the steps;
nothing registers itself at import. Each reaction runs inside the step's transaction and gets
its `Tx`: what it writes commits or rolls back with the step, and anything outside PostgreSQL
(a room event, a counter, a job) it registers with `tx.after_commit`.

Dependencies point down: orders imports payments and the ledger; the domains that react
(promotions, distribution, live) import orders' types, and orders imports none of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from asyncpg import Connection, Record

from livecommerce.infra.auth import Actor
from livecommerce.infra.db import Tx

# (tx, order, items): an order was written, its items too; may price it (coupons) or trace it.
Placed = Callable[[Tx, Record, list[Record]], Awaitable[None]]
# (tx, order): the order's money came in (it is `paid`), or it was cancelled unpaid.
Paid = Callable[[Tx, Record], Awaitable[None]]
Cancelled = Callable[[Tx, Record], Awaitable[None]]
# (tx, order) -> [(ledger account, fen)]: who else is paid out of the host's share at completion.
Completed = Callable[[Tx, Record], Awaitable[list[tuple[int, int]]]]
# (tx, order, {order item id: fen refunded}): a refund was approved and paid back.
Refunded = Callable[[Tx, Record, dict[int, int]], Awaitable[None]]
# (conn, actor) -> the host whose orders a non-host may read on the desk (a host's staff: the
# members domain knows whose), or None; the first answer that is not None counts.
DeskScope = Callable[[Connection, Actor], Awaitable[int | None]]


@dataclass(frozen=True, slots=True)
class OrderHooks:
    """Who reacts to each step of an order, in the order they run."""

    placed: tuple[Placed, ...] = ()
    paid: tuple[Paid, ...] = ()
    cancelled: tuple[Cancelled, ...] = ()
    completed: tuple[Completed, ...] = ()
    refunded: tuple[Refunded, ...] = ()
    desk_scope: tuple[DeskScope, ...] = ()
