"""Where the room meets the shop: an order placed in a room is traced to its live session,
and a paid one shows in the room (the purchase ticker, the orders and GMV counters)."""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains.live import events, queries
from livecommerce.domains.orders import lifecycle, services
from livecommerce.infra.errors import DomainError, ErrorCode


def masked(name: str) -> str:
    """张三丰 -> 张**: the ticker shows that someone bought, not who."""
    return (name[:1] + "**") if name else "**"


async def trace_to_session(conn: Connection, order: Record, items: list[Record]) -> None:
    """The client says which room it bought in; we decide which session that was (the live one)."""
    if order["room_id"] is None:
        if order["session_id"] is not None:
            await conn.execute("UPDATE orders SET session_id = NULL WHERE id = $1", order["id"])
        return
    room = await conn.fetchrow("SELECT host_id FROM rooms WHERE id = $1", order["room_id"])
    if room is None or room["host_id"] != order["host_id"]:
        raise DomainError(
            ErrorCode.ROOM_MISMATCH,
            detail=f"room {order['room_id']} does not sell these products",
            roomId=order["room_id"],
        )
    live = await queries.live_session(conn, order["room_id"])
    await conn.execute(
        "UPDATE orders SET session_id = $2 WHERE id = $1", order["id"], live["id"] if live else None
    )


async def announce_purchase(conn: Connection, order: Record) -> None:
    """Runs in the paying transaction. Best effort and cosmetic: the session's orders and GMV
    for the record are counted from PostgreSQL (figures.paid_orders), not from these."""
    if order["room_id"] is None or order["session_id"] is None:
        return
    row = await conn.fetchrow(
        "SELECT u.display_name, i.title, i.quantity FROM users u, order_items i"
        " WHERE u.id = $1 AND i.order_id = $2 ORDER BY i.id LIMIT 1",
        order["buyer_id"],
        order["id"],
    )
    await events.add_counters(order["room_id"], orders=1, gmv=order["pay_amount"])
    await events.publish(
        order["room_id"],
        events.event(
            "purchase",
            buyer=masked(row["display_name"]),
            product=row["title"],
            quantity=row["quantity"],
        ),
    )


services.PLACEMENT_HOOKS.append(trace_to_session)
lifecycle.ON_PAID.append(announce_purchase)
