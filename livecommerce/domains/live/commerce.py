"""Where the room meets the shop: an order placed in a room is traced to its live session,
and a paid one shows in the room (the purchase ticker, the orders and GMV counters).

Both are order reactions (`OrderHooks.placed` and `.paid`, wired in livecommerce/wiring.py).
The room hears of a purchase only after the paying transaction has committed."""

from __future__ import annotations

from asyncpg import Record

from livecommerce.domains.live import events, queries
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.text import mask_name


async def trace_to_session(tx: Tx, order: Record, items: list[Record]) -> None:
    """The client says which room it bought in; we decide which session that was (the live one)."""
    conn = tx.conn
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


async def announce_purchase(tx: Tx, order: Record) -> None:
    """Reads in the paying transaction, tells the room after COMMIT (a rolled-back payment is
    never heard of). Best effort and cosmetic: the session's orders and GMV for the record are
    counted from PostgreSQL (figures.paid_orders), not from these."""
    if order["room_id"] is None or order["session_id"] is None:
        return
    row = await tx.conn.fetchrow(
        "SELECT u.display_name, i.title, i.quantity FROM users u, order_items i"
        " WHERE u.id = $1 AND i.order_id = $2 ORDER BY i.id LIMIT 1",
        order["buyer_id"],
        order["id"],
    )
    if row is None:
        return
    room_id, gmv = order["room_id"], order["pay_amount"]
    purchase = events.event(
        "purchase",
        buyer=mask_name(row["display_name"]),
        product=row["title"],
        quantity=row["quantity"],
    )

    async def tell_the_room() -> None:
        await events.add_counters(room_id, orders=1, gmv=gmv)
        await events.publish(room_id, purchase)

    tx.after_commit(tell_the_room)
