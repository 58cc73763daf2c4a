"""Opening and joining a group buy through the ordinary order path, and the seat taken when the
order is paid.

Placing: `place_order` runs with this call's own `placed` reactions around the wired ones
(`with_group`): the first prices the line at the group price, marks the order held (it ships
only once the group succeeds) and enlists the buyer unpaid (a member row without a seat; the
partial unique index keeps one open group per buyer and product); the last one takes the
commission rates off the order when the group's product pays none.

Paying (`on_paid`, OrderHooks.paid): the seat is taken by one conditional UPDATE of the group's
`paid_count` WHERE it is below the size, under the group row's lock: two last members paying at
once are ordered by it, and the later one finds the group full. That buyer paid the group price
for a group that is gone, so their order opens a new group they lead (as 拼多多 does) rather
than being refunded: the money stays where it is (no gateway round trip, no refund fee), the
order keeps its price, and the new group fills or fails at its own deadline like any other.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import msgspec
from asyncpg import Record

from livecommerce.domains.live import events as room_events
from livecommerce.domains.marketing.group_rules import GroupStatus, MemberStatus, join_refusal
from livecommerce.domains.marketing.group_schemas import GroupOrderIn
from livecommerce.domains.orders import services as orders
from livecommerce.domains.orders.hooks import OrderHooks, Placed
from livecommerce.domains.orders.schemas import OrderLine, PlaceOrder
from livecommerce.infra import db, queue
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

HELD_BY = "group_buy"
DEADLINE_JOB = "fail_group_buy"


def deadline_job_id(group_id: int) -> str:
    return f"group-buy-deadline:{group_id}"


@dataclasses.dataclass(slots=True)
class _Placing:
    """What one placement is about: a new group (`join` None) or the group joined."""

    join: int | None
    room_id: int | None
    pays_commission: bool = True


def _order_of(data: GroupOrderIn) -> PlaceOrder:
    return PlaceOrder(
        items=[OrderLine(sku_id=data.sku_id, quantity=data.quantity)],
        room_id=data.room_id,
        session_id=data.session_id,
        address=data.address,
        address_id=data.address_id,
        note=data.note,
    )


async def _group_price(tx: Tx, product_id: int, sku_id: int) -> Record:
    offer = await tx.conn.fetchrow(
        "SELECT o.product_id, o.host_id, o.enabled, o.group_size, o.hours, o.pays_commission,"
        " gp.price FROM group_buy_offers o"
        " JOIN group_buy_prices gp ON gp.product_id = o.product_id AND gp.sku_id = $2"
        " WHERE o.product_id = $1",
        product_id,
        sku_id,
    )
    if offer is None:
        raise DomainError(
            ErrorCode.GROUP_BUY_UNAVAILABLE,
            detail=f"SKU {sku_id} has no group price",
            skuId=sku_id,
        )
    return offer


async def _enlist(placing: _Placing, tx: Tx, order: Record, items: list[Record]) -> None:
    conn = tx.conn
    (item,) = items
    offer = await _group_price(tx, item["product_id"], item["sku_id"])
    if placing.join is None:
        if not offer["enabled"]:
            raise DomainError(
                ErrorCode.GROUP_BUY_UNAVAILABLE, detail="this product's group buy is switched off"
            )
        group = await conn.fetchrow(
            "INSERT INTO group_buys (product_id, host_id, leader_id, group_size, hours,"
            " pays_commission, room_id, status, paid_count, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, now()) RETURNING *",
            item["product_id"],
            offer["host_id"],
            order["buyer_id"],
            offer["group_size"],
            offer["hours"],
            offer["pays_commission"],
            placing.room_id,
        )
    else:
        group = await conn.fetchrow("SELECT * FROM group_buys WHERE id = $1", placing.join)
        if group is None or group["product_id"] != item["product_id"]:
            raise DomainError(
                ErrorCode.NOT_FOUND, detail=f"no group {placing.join} of this product"
            )
        refusal = join_refusal(
            status=group["status"],
            leader_id=group["leader_id"],
            buyer_id=order["buyer_id"],
            paid_count=group["paid_count"],
            group_size=group["group_size"],
            expires_at=group["expires_at"],
            now=datetime.now(UTC),
        )
        if refusal is not None:
            raise refusal
    placing.pays_commission = group["pays_commission"]
    price = offer["price"]
    await conn.execute(
        "UPDATE order_items SET unit_price = $2::bigint, amount = $2::bigint * quantity,"
        " paid_amount = $2::bigint * quantity WHERE order_id = $1",
        order["id"],
        price,
    )
    await conn.execute(
        "UPDATE orders SET total_amount = $2, pay_amount = $2, held_by = $3 WHERE id = $1",
        order["id"],
        price * item["quantity"],
        HELD_BY,
    )
    enlisted = await conn.fetchval(
        "INSERT INTO group_buy_members (group_id, product_id, user_id, order_id, status,"
        " created_at) VALUES ($1, $2, $3, $4, 'pending', now())"
        " ON CONFLICT (product_id, user_id) WHERE status IN ('pending', 'seated') DO NOTHING"
        " RETURNING id",
        group["id"],
        item["product_id"],
        order["buyer_id"],
        order["id"],
    )
    if enlisted is None:
        current = await conn.fetchrow(
            "SELECT group_id, order_id, status FROM group_buy_members"
            " WHERE product_id = $1 AND user_id = $2 AND status IN ('pending', 'seated')",
            item["product_id"],
            order["buyer_id"],
        )
        raise DomainError(
            ErrorCode.GROUP_BUY_ALREADY_IN,
            detail="you are in an open group of this product already"
            + (
                " (pay or cancel its order first)"
                if current and current["status"] == "pending"
                else ""
            ),
            groupId=current["group_id"] if current else None,
            orderId=current["order_id"] if current else None,
        )


async def _commission(placing: _Placing, tx: Tx, order: Record, items: list[Record]) -> None:
    """After the chain is snapshotted: a product whose group orders pay no commission keeps the
    order's trace (who brought the buyer) with no rates, so no commission is created on payment."""
    if placing.pays_commission:
        return
    await tx.conn.execute(
        "UPDATE orders SET attribution = jsonb_set(attribution, '{rates}', '{}'::jsonb)"
        " || '{\"groupBuyNoCommission\": true}'::jsonb"
        " WHERE id = $1 AND attribution IS NOT NULL",
        order["id"],
    )


def _fresh(reaction: Placed) -> Placed:
    """The wired reaction, given the order and items as the group price left them (placing
    hands every reaction the rows as first written): a member price is then compared with the
    group price, and the lower one wins, as with a flash price."""

    async def run(tx: Tx, order: Record, items: list[Record]) -> None:
        conn = tx.conn
        now = await conn.fetchrow("SELECT * FROM orders WHERE id = $1", order["id"])
        rows = await conn.fetch(
            "SELECT * FROM order_items WHERE order_id = $1 ORDER BY id", order["id"]
        )
        await reaction(tx, now, list(rows))

    return run


def with_group(hooks: OrderHooks, placing: _Placing) -> OrderHooks:
    async def enlist(tx: Tx, order: Record, items: list[Record]) -> None:
        await _enlist(placing, tx, order, items)

    async def commission(tx: Tx, order: Record, items: list[Record]) -> None:
        await _commission(placing, tx, order, items)

    # The group price first: a member price, a coupon and points come off it (additive).
    placed = (enlist, *(_fresh(reaction) for reaction in hooks.placed), commission)
    return dataclasses.replace(hooks, placed=placed)


async def place(
    settings: Settings,
    hooks: OrderHooks,
    buyer_id: int,
    data: GroupOrderIn,
    idempotency_key: str,
    *,
    join: int | None,
) -> tuple[int, bytes, bool]:
    """Open a group (`join` None) or join group `join`: the order placed unpaid, with its group.
    Returns (status, JSON body {groupId, order}, replayed)."""
    placing = _Placing(join=join, room_id=data.room_id)
    # Its own key space: the same key sent to POST /api/orders is another request.
    key = f"group:{join or 'new'}:{idempotency_key}"[:128]
    status, body, replayed = await orders.place_order(
        settings, with_group(hooks, placing), buyer_id, _order_of(data), key
    )
    order_id = msgspec.json.decode(body)["id"]
    async with db.connection() as conn:
        group_id = await conn.fetchval(
            "SELECT group_id FROM group_buy_members WHERE order_id = $1", order_id
        )
    return status, b'{"groupId":%d,"order":%s}' % (group_id, body), replayed


def _announce(tx: Tx, group: Record, kind: str) -> None:
    if group["room_id"] is None:
        return
    room_id = group["room_id"]
    event = room_events.event(
        "group_buy",
        priority=True,
        kind=kind,
        groupId=group["id"],
        productId=group["product_id"],
        paidCount=group["paid_count"],
        groupSize=group["group_size"],
        status=group["status"],
    )
    tx.after_commit(lambda: room_events.publish(room_id, event))


async def _open(tx: Tx, group_id: int) -> Record | None:
    return await tx.conn.fetchrow(
        "UPDATE group_buys SET status = 'open', paid_count = 1, opened_at = now(),"
        " expires_at = now() + make_interval(hours => hours)"
        " WHERE id = $1 AND status = 'pending' RETURNING *",
        group_id,
    )


async def _take_seat(tx: Tx, group_id: int) -> Record | None:
    # The seat: the row lock orders concurrent payers; the WHERE refuses the one past N.
    return await tx.conn.fetchrow(
        "UPDATE group_buys SET paid_count = paid_count + 1,"
        " status = CASE WHEN paid_count + 1 = group_size THEN 'succeeded' ELSE status END,"
        " succeeded_at = CASE WHEN paid_count + 1 = group_size THEN now() END"
        " WHERE id = $1 AND status = 'open' AND paid_count < group_size AND expires_at > now()"
        " RETURNING *",
        group_id,
    )


async def _rehome(tx: Tx, old: Record, leader_id: int) -> Record:
    """A new open group with the old one's terms, led by the payer who came too late."""
    return await tx.conn.fetchrow(
        "INSERT INTO group_buys (product_id, host_id, leader_id, group_size, hours,"
        " pays_commission, room_id, status, paid_count, created_at, opened_at, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', 1, now(), now(),"
        " now() + make_interval(hours => $8)) RETURNING *",
        old["product_id"],
        old["host_id"],
        leader_id,
        old["group_size"],
        old["hours"],
        old["pays_commission"],
        old["room_id"],
        int(old["hours"]),
    )


async def on_paid(tx: Tx, order: Record) -> None:
    """OrderHooks.paid: the paid order takes its seat (or leads a new group, see above)."""
    conn = tx.conn
    member = await conn.fetchrow(
        "SELECT m.*, g.leader_id, g.status AS group_status FROM group_buy_members m"
        " JOIN group_buys g ON g.id = m.group_id WHERE m.order_id = $1 AND m.status = 'pending'",
        order["id"],
    )
    if member is None:
        return
    rehomed_from = None
    if member["group_status"] == GroupStatus.PENDING and member["leader_id"] == member["user_id"]:
        group = await _open(tx, member["group_id"])
    else:
        group = await _take_seat(tx, member["group_id"])
    if group is None:
        old = await conn.fetchrow("SELECT * FROM group_buys WHERE id = $1", member["group_id"])
        group = await _rehome(tx, old, member["user_id"])
        rehomed_from = old["id"]
    await conn.execute(
        "UPDATE group_buy_members SET group_id = $2, seat = $3, status = 'seated',"
        " paid_at = now(), rehomed_from = $4 WHERE id = $1",
        member["id"],
        group["id"],
        group["paid_count"],
        rehomed_from,
    )
    if group["paid_count"] == 1:
        # The deadline: the job fails the group if it is not full by then (a sweeper catches a
        # job that was lost); arq refuses a job id it has seen, so it is enqueued once.
        group_id, due = group["id"], group["expires_at"]
        tx.after_commit(
            lambda: queue.enqueue(
                DEADLINE_JOB, group_id, job_id=deadline_job_id(group_id), defer_until=due
            )
        )
        _announce(tx, group, "opened")
    elif group["status"] == GroupStatus.SUCCEEDED:
        await succeed(tx, group["id"])
        _announce(tx, group, "succeeded")
    else:
        _announce(tx, group, "joined")


async def succeed(tx: Tx, group_id: int) -> None:
    """Full: every member's order is released to ship; after-sales and the commissions' clock
    start from here like any order's."""
    conn = tx.conn
    await conn.execute(
        "UPDATE group_buy_members SET status = 'succeeded' WHERE group_id = $1 AND status = $2",
        group_id,
        MemberStatus.SEATED.value,
    )
    # The other members' order rows: they are paid, and what else locks a paid order (ship, a
    # refund request, the deadline's refund) never waits for a group row after it, so no cycle.
    await conn.execute(
        "UPDATE orders SET held_by = NULL WHERE id IN (SELECT order_id FROM group_buy_members"
        " WHERE group_id = $1 AND status = 'succeeded') AND held_by = $2",
        group_id,
        HELD_BY,
    )


async def on_cancelled(tx: Tx, order: Record) -> None:
    """OrderHooks.cancelled: an unpaid order held no seat; its member row is released, and a
    group whose leader never paid is abandoned."""
    conn = tx.conn
    released = await conn.fetchrow(
        "UPDATE group_buy_members SET status = 'released' WHERE order_id = $1"
        " AND status = 'pending' RETURNING group_id, user_id",
        order["id"],
    )
    if released is None:
        return
    await conn.execute(
        "UPDATE group_buys SET status = 'abandoned' WHERE id = $1 AND status = 'pending'"
        " AND leader_id = $2",
        released["group_id"],
        released["user_id"],
    )
