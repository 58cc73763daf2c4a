"""The buyer's order list as a shop app shows it: tabs by what is next (待付款 to pay, 待发货
awaiting shipment, 待收货 on the way, 售后 after-sales, 已完成 done) with a count on each."""

from __future__ import annotations

from typing import Literal

from asyncpg import Connection

from livecommerce.domains.orders.queries import orders_out
from livecommerce.domains.orders.schemas import OrderOut
from livecommerce.infra.schema import Out

Tab = Literal["to_pay", "to_ship", "to_receive", "after_sales", "done"]

# Each tab's condition on `orders o`: written here, never taken from input. After-sales lists
# every order with a refund (asked, decided or paid back), whatever its status now; an order
# partly refunded and on its way is in two tabs, as in the apps buyers know.
_TABS: dict[str, str] = {
    "to_pay": "o.status = 'pending_payment'",
    "to_ship": "o.status = 'paid'",
    "to_receive": "o.status = 'shipped'",
    "after_sales": "EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id)",
    "done": "o.status IN ('received', 'completed')",
}


class OrderCounts(Out):
    """How many of the buyer's orders each tab lists (`all`: every order, cancelled too)."""

    to_pay: int
    to_ship: int
    to_receive: int
    after_sales: int
    done: int
    all: int
    # Of after_sales: the refunds still waiting for the host's decision.
    after_sales_open: int


async def tab_page(
    conn: Connection, buyer_id: int, tab: str, cursor: int | None, limit: int
) -> tuple[list[OrderOut], int | None]:
    condition = _TABS.get(tab)
    if condition is None:
        raise ValueError(f"no order tab {tab!r}")
    rows = await conn.fetch(
        f"SELECT o.* FROM orders o WHERE o.buyer_id = $1 AND {condition}"
        " AND ($2::int IS NULL OR o.id < $2) ORDER BY o.id DESC LIMIT $3",
        buyer_id,
        cursor,
        limit + 1,
    )
    orders = await orders_out(conn, rows[:limit])
    return orders, (orders[-1].id if len(rows) > limit else None)


async def counts(conn: Connection, buyer_id: int) -> OrderCounts:
    row = await conn.fetchrow(
        "SELECT"
        " count(*) FILTER (WHERE o.status = 'pending_payment') AS to_pay,"
        " count(*) FILTER (WHERE o.status = 'paid') AS to_ship,"
        " count(*) FILTER (WHERE o.status = 'shipped') AS to_receive,"
        " count(*) FILTER (WHERE r.refunds > 0) AS after_sales,"
        " count(*) FILTER (WHERE o.status IN ('received', 'completed')) AS done,"
        " count(*) AS all_orders,"
        " count(*) FILTER (WHERE o.status = 'refunding') AS after_sales_open"
        " FROM orders o LEFT JOIN LATERAL"
        " (SELECT count(*) AS refunds FROM refunds WHERE order_id = o.id) r ON true"
        " WHERE o.buyer_id = $1",
        buyer_id,
    )
    return OrderCounts(
        to_pay=row["to_pay"],
        to_ship=row["to_ship"],
        to_receive=row["to_receive"],
        after_sales=row["after_sales"],
        done=row["done"],
        all=row["all_orders"],
        after_sales_open=row["after_sales_open"],
    )
