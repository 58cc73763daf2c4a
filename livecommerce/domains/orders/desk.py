"""The host's order desk: the host's orders by tab (待付款, 待发货, 待收货, 售后, 已完成, 已取消),
live session, date range and a search; the feed of new paid orders the page polls; shipping
many orders at once, each in its own transaction.

Every query names the host (`o.host_id = $1`): another host's order is never found here. The
SQL is fixed text; filters left out are NULL parameters, never spliced input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo

import msgspec
from asyncpg import Connection, Record

from livecommerce.domains.orders import lifecycle
from livecommerce.domains.orders.queries import not_found, orders_out
from livecommerce.domains.orders.schemas import Carrier, OrderOut, TrackingNo
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.schema import In, Out
from livecommerce.settings import Settings

# The desk's tabs and the order states each shows. A received order (the buyer has the goods,
# the after-sales window is still open) is under 已完成 with the settled ones; a fully refunded
# one is closed like a cancelled one; 售后 holds the open refund requests, the ones to answer.
Tab = Literal["pending_payment", "to_ship", "shipped", "after_sales", "completed", "closed"]
TABS: dict[str, tuple[str, ...]] = {
    "pending_payment": ("pending_payment",),
    "to_ship": ("paid",),
    "shipped": ("shipped",),
    "after_sales": ("refunding",),
    "completed": ("received", "completed"),
    "closed": ("cancelled", "refunded"),
}
if set(TABS) != set(get_args(Tab)):
    raise RuntimeError("orders.desk TABS must name exactly the Tab values")

# A paid order may commit a little after the time its transaction started (its `paid_at`):
# each poll looks back this far, so one that committed after the previous poll is still seen.
# The page drops the ones it already has.
FEED_LOOKBACK = timedelta(seconds=30)
FEED_LIMIT = 50
INT4_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class DeskFilter:
    tab: str | None = None
    session_id: int | None = None
    placed_from: datetime | None = None  # inclusive
    placed_before: datetime | None = None  # exclusive
    query: str | None = None


def day_range(
    date_from: date | None, date_to: date | None, timezone: str
) -> tuple[datetime | None, datetime | None]:
    """Calendar days in the business time zone -> [start of `date_from`, end of `date_to`)."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise DomainError(ErrorCode.VALIDATION_ERROR, detail="`from` is after `to`", field="from")
    zone = ZoneInfo(timezone)
    start = datetime.combine(date_from, time(), zone) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time(), zone) if date_to else None
    return start, end


def like_pattern(text: str) -> str:
    """`text` as a substring to match with ILIKE, its own % _ and \\ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# $1 host, $2 statuses, $3 session, $4 from, $5 before, $6 search pattern, $7 search as an id.
_FILTER = (
    " FROM orders o JOIN users u ON u.id = o.buyer_id"
    " WHERE o.host_id = $1"
    " AND ($2::text[] IS NULL OR o.status = ANY($2::text[]))"
    " AND ($3::int IS NULL OR o.session_id = $3)"
    " AND ($4::timestamptz IS NULL OR o.created_at >= $4)"
    " AND ($5::timestamptz IS NULL OR o.created_at < $5)"
    " AND ($6::text IS NULL OR o.id = $7::int OR u.username ILIKE $6 OR u.display_name ILIKE $6"
    "  OR o.address->>'name' ILIKE $6 OR o.address->>'phone' ILIKE $6"
    "  OR o.tracking_no ILIKE $6)"
)
LIST_SQL = (
    "SELECT o.*, u.display_name AS buyer_name"
    + _FILTER
    + " AND ($8::int IS NULL OR o.id < $8) ORDER BY o.id DESC LIMIT $9"
)
COUNT_SQL = "SELECT o.status, count(*) AS n" + _FILTER + " GROUP BY o.status"


def filter_args(host_id: int, f: DeskFilter, *, with_tab: bool = True) -> list[Any]:
    statuses = list(TABS[f.tab]) if with_tab and f.tab is not None else None
    query = (f.query or "").strip() or None
    as_id = None
    if query is not None:
        digits = query.removeprefix("#")
        as_id = int(digits) if digits.isdigit() and int(digits) <= INT4_MAX else None
    return [
        host_id,
        statuses,
        f.session_id,
        f.placed_from,
        f.placed_before,
        like_pattern(query) if query else None,
        as_id,
    ]


class DeskAddress(Out):
    name: str
    phone: str
    line: str  # the rest of the address, one line


class DeskOrderOut(Out):
    order: OrderOut
    buyer_name: str
    address: DeskAddress | None


class DeskPage(Out):
    items: list[DeskOrderOut]
    # Orders per tab (and "all") under the same filters, the tab aside.
    counts: dict[str, int]
    next_cursor: int | None = None


class PaidFeed(Out):
    items: list[DeskOrderOut]
    # Send it back as `since` on the next poll.
    cursor: datetime


class DeskSession(Out):
    session_id: int
    room_id: int | None
    orders: int
    first_order_at: datetime
    last_order_at: datetime


class ShipLine(In, frozen=True):
    order_id: Annotated[int, msgspec.Meta(ge=1, le=INT4_MAX)]
    carrier: Carrier
    tracking_no: TrackingNo


class BulkShip(In, frozen=True):
    orders: Annotated[list[ShipLine], msgspec.Meta(min_length=1, max_length=100)]


class ShipResult(Out):
    order_id: int
    ok: bool
    code: str | None = None  # the problem code when it failed (not_found, illegal_transition)
    detail: str | None = None
    order: OrderOut | None = None


class BulkShipOut(Out):
    shipped: int
    failed: int
    results: list[ShipResult]


def address_of(raw: Any) -> DeskAddress | None:
    """The order's address snapshot (orders/addressing.py) as name, phone and one line: its
    `line`, else its parts from the province down."""
    if raw is None:
        return None
    found = json.loads(raw) if isinstance(raw, str | bytes) else dict(raw)
    if not isinstance(found, dict):
        return None
    parts = (str(found.get(k) or "").strip() for k in ("province", "city", "district", "detail"))
    line = str(found.get("line") or "").strip() or " ".join(p for p in parts if p)
    return DeskAddress(
        name=str(found.get("name") or ""), phone=str(found.get("phone") or ""), line=line
    )


async def desk_orders(conn: Connection, rows: list[Record]) -> list[DeskOrderOut]:
    orders = await orders_out(conn, rows)
    return [
        DeskOrderOut(order=order, buyer_name=row["buyer_name"], address=address_of(row["address"]))
        for order, row in zip(orders, rows, strict=True)
    ]


async def page(host_id: int, f: DeskFilter, cursor: int | None, limit: int) -> DeskPage:
    async with db.connection() as conn:
        rows = await conn.fetch(LIST_SQL, *filter_args(host_id, f), cursor, limit + 1)
        counted = await conn.fetch(COUNT_SQL, *filter_args(host_id, f, with_tab=False))
        items = await desk_orders(conn, rows[:limit])
    by_status = {row["status"]: int(row["n"]) for row in counted}
    counts = {tab: sum(by_status.get(s, 0) for s in statuses) for tab, statuses in TABS.items()}
    counts["all"] = sum(by_status.values())
    return DeskPage(
        items=items,
        counts=counts,
        next_cursor=items[-1].order.id if len(rows) > limit else None,
    )


async def paid_feed(host_id: int, since: datetime | None) -> PaidFeed:
    """The host's orders paid since `since` and still to ship (none without `since`: the first
    poll only takes a cursor)."""
    async with db.connection() as conn:
        now = await conn.fetchval("SELECT clock_timestamp()")
        rows = (
            await conn.fetch(
                "SELECT o.*, u.display_name AS buyer_name FROM orders o"
                " JOIN users u ON u.id = o.buyer_id"
                " WHERE o.host_id = $1 AND o.status = 'paid' AND o.paid_at > $2"
                " ORDER BY o.paid_at, o.id LIMIT $3",
                host_id,
                since,
                FEED_LIMIT,
            )
            if since is not None
            else []
        )
        items = await desk_orders(conn, rows)
    return PaidFeed(items=items, cursor=now - FEED_LOOKBACK)


async def sessions(host_id: int, limit: int = 100) -> list[DeskSession]:
    """The live sessions the host's orders came from, latest first (for the desk's filter)."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT session_id, max(room_id) AS room_id, count(*) AS orders,"
            " min(created_at) AS first_order_at, max(created_at) AS last_order_at"
            " FROM orders WHERE host_id = $1 AND session_id IS NOT NULL"
            " GROUP BY session_id ORDER BY max(created_at) DESC LIMIT $2",
            host_id,
            limit,
        )
    return [
        DeskSession(
            session_id=row["session_id"],
            room_id=row["room_id"],
            orders=row["orders"],
            first_order_at=row["first_order_at"],
            last_order_at=row["last_order_at"],
        )
        for row in rows
    ]


async def ship_many(settings: Settings, actor: Actor, lines: list[ShipLine]) -> BulkShipOut:
    """Ship each order in its own transaction (lifecycle.ship): one that fails (not this host's,
    not paid, shipped already) leaves the others shipped. Only the actor's own orders: an admin
    ships another host's order through POST /api/orders/{id}/ship, not from a desk.

    When none shipped the answer is the first failure's problem, with every result in it."""
    async with db.connection() as conn:
        hosts = {
            row["id"]: row["host_id"]
            for row in await conn.fetch(
                "SELECT id, host_id FROM orders WHERE id = ANY($1::int[])",
                [line.order_id for line in lines],
            )
        }
    results: list[ShipResult] = []
    first_error: DomainError | None = None
    for line in lines:
        try:
            if hosts.get(line.order_id) != actor.id:
                raise not_found(line.order_id)
            shipped = await lifecycle.ship(
                settings, line.order_id, actor, line.tracking_no, line.carrier
            )
            results.append(ShipResult(order_id=line.order_id, ok=True, order=shipped))
        except DomainError as exc:
            first_error = first_error or exc
            results.append(
                ShipResult(order_id=line.order_id, ok=False, code=exc.code.value, detail=exc.detail)
            )
    shipped_count = sum(r.ok for r in results)
    if shipped_count == 0 and first_error is not None:
        raise DomainError(
            first_error.code,
            detail=f"no order was shipped: {first_error.detail}",
            results=msgspec.to_builtins(results),
        )
    return BulkShipOut(shipped=shipped_count, failed=len(results) - shipped_count, results=results)
