"""A session's report and the console's history: its online curve, its orders, its funnel, top
products and distributors.

The figures are the session row's (figures.py, checkpointed from Redis while it is live); the
money is PostgreSQL's orders of the session, read the way figures.paid_orders counts them (paid,
not refunded; GMV less refunds), so the report's parts add up to its totals. Orders carry the
distributor chain snapshotted when they were placed (`orders.attribution`), and their
commissions are rows of their own: both are read here, never changed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from asyncpg import Connection, Record
from redis.asyncio import Redis

from livecommerce.domains.live import clicks, queries, reminders, sessions
from livecommerce.domains.live.schemas import (
    DistributorFigures,
    Funnel,
    Series,
    SessionAnalysis,
    SessionOrder,
    TopProduct,
)
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.text import mask_name

TOP_PRODUCTS = 20
# A day of 10 s samples; a longer session shows its last day.
MAX_SAMPLES = 8640
# The orders of the session that count for the record (figures.paid_orders).
_PAID = "o.session_id = $1 AND o.paid_at IS NOT NULL AND o.status <> 'refunded'"


async def hosted_session(conn: Connection, session_id: int, actor: Actor) -> Record:
    """The session if the actor hosts its room (or is an admin): anyone else's is 404."""
    row = await conn.fetchrow(
        "SELECT s.*, r.host_id, r.title AS room_title FROM live_sessions s"
        " JOIN rooms r ON r.id = s.room_id WHERE s.id = $1",
        session_id,
    )
    if row is None or (row["host_id"] != actor.id and not actor.is_admin):
        raise queries.session_not_found(session_id)
    return row


async def _fresh(conn: Connection, redis: Redis, session: Record) -> Record:
    """A live session's figures saved from Redis first, so the report is as of now."""
    if session["status"] != "live":
        return session
    await sessions.checkpoint(conn, redis, session)
    return await conn.fetchrow(
        "SELECT s.*, r.host_id, r.title AS room_title FROM live_sessions s"
        " JOIN rooms r ON r.id = s.room_id WHERE s.id = $1",
        session["id"],
    )


async def series(redis: Redis, session_id: int, actor: Actor) -> Series:
    async with db.transaction() as tx:
        session = await _fresh(tx.conn, redis, await hosted_session(tx.conn, session_id, actor))
        return await _series(tx.conn, session["id"])


async def _series(conn: Connection, session_id: int) -> Series:
    rows = await conn.fetch(
        "SELECT * FROM (SELECT extract(epoch FROM at)::bigint AS t, online, unique_viewers,"
        " likes, comments, orders, gmv FROM live_session_samples WHERE session_id = $1"
        " ORDER BY at DESC LIMIT $2) newest ORDER BY t",
        session_id,
        MAX_SAMPLES,
    )
    return Series(
        t=[r["t"] for r in rows],
        online=[r["online"] for r in rows],
        unique_viewers=[r["unique_viewers"] for r in rows],
        likes=[r["likes"] for r in rows],
        comments=[r["comments"] for r in rows],
        orders=[r["orders"] for r in rows],
        gmv=[r["gmv"] for r in rows],
    )


async def orders(session_id: int, actor: Actor, limit: int) -> list[SessionOrder]:
    """The session's paid orders, the latest payment first (the console's order feed)."""
    async with db.connection() as conn:
        await hosted_session(conn, session_id, actor)
        rows = await conn.fetch(
            "SELECT o.id, u.display_name, o.pay_amount, o.status, o.created_at, o.paid_at,"
            " first.title, first.quantity, first.items"
            " FROM orders o JOIN users u ON u.id = o.buyer_id"
            " JOIN LATERAL (SELECT i.title, i.quantity, count(*) OVER () AS items"
            "   FROM order_items i WHERE i.order_id = o.id ORDER BY i.id LIMIT 1) first ON true"
            " WHERE o.session_id = $1 AND o.paid_at IS NOT NULL"
            " ORDER BY o.paid_at DESC, o.id DESC LIMIT $2",
            session_id,
            limit,
        )
    return [
        SessionOrder(
            id=r["id"],
            buyer=mask_name(r["display_name"]),
            product=r["title"],
            quantity=r["quantity"],
            items=int(r["items"]),
            pay_amount=r["pay_amount"],
            status=r["status"],
            created_at=r["created_at"],
            paid_at=r["paid_at"],
        )
        for r in rows
    ]


async def analysis(redis: Redis, session_id: int, actor: Actor) -> SessionAnalysis:
    async with db.transaction() as tx:
        conn = tx.conn
        session = await _fresh(conn, redis, await hosted_session(conn, session_id, actor))
        funnel = await _funnel(conn, session)
        top = await _top_products(conn, session)
        distributors = await _by_distributor(conn, session["id"])
        curve = await _series(conn, session["id"])
        asked = await reminders.count(conn, session["id"])
    figures = sessions.report(session)
    figures.reminders = asked
    end = session["ended_at"] or datetime.now(UTC)
    started = session["started_at"]
    counted = {"orders": figures.orders, "uniqueViewers": figures.unique_viewers}
    return SessionAnalysis(
        session=figures,
        room_id=session["room_id"],
        room_title=session["room_title"],
        duration_seconds=max(0, int((end - started).total_seconds())) if started else 0,
        conversion_bp=sessions.conversion_bp(counted),
        average_order_value=figures.gmv // figures.orders if figures.orders else 0,
        funnel=funnel,
        series=curve,
        top_products=top,
        by_distributor=distributors,
        direct_orders=figures.orders - sum(d.orders for d in distributors),
        direct_gmv=figures.gmv - sum(d.gmv for d in distributors),
    )


async def _funnel(conn: Connection, session: Record) -> Funnel:
    row = await conn.fetchrow(
        "SELECT count(DISTINCT o.buyer_id) AS buyers, count(*) AS placed,"
        f" count(DISTINCT o.buyer_id) FILTER (WHERE {_PAID}) AS payers,"
        f" count(*) FILTER (WHERE {_PAID}) AS paid"
        " FROM orders o WHERE o.session_id = $1",
        session["id"],
    )
    return Funnel(
        viewers=session["unique_viewers"],
        product_visitors=session["product_visitors"],
        buyers=int(row["buyers"]),
        payers=int(row["payers"]),
        product_clicks=session["product_clicks"],
        orders_placed=int(row["placed"]),
        orders_paid=int(row["paid"]),
    )


async def _top_products(conn: Connection, session: Record) -> list[TopProduct]:
    """By amount paid, then by opens: products bought in the session, and those only looked at."""
    views = clicks.saved(session)
    rows = await conn.fetch(
        "WITH sold AS (SELECT i.product_id, count(DISTINCT i.order_id) AS orders,"
        "   sum(i.quantity)::bigint AS quantity,"
        "   sum(i.paid_amount - i.refunded_amount)::bigint AS paid_amount, max(i.title) AS title"
        f"   FROM order_items i JOIN orders o ON o.id = i.order_id WHERE {_PAID}"
        "   GROUP BY i.product_id),"
        " seen AS (SELECT unnest($2::int[]) AS product_id)"
        " SELECT p.id AS product_id, coalesce(sold.title, p.title) AS title,"
        " coalesce(p.images[1], '') AS image, coalesce(sold.orders, 0) AS orders,"
        " coalesce(sold.quantity, 0) AS quantity, coalesce(sold.paid_amount, 0) AS paid_amount"
        " FROM products p LEFT JOIN sold ON sold.product_id = p.id"
        " WHERE p.id IN (SELECT product_id FROM sold UNION SELECT product_id FROM seen)",
        session["id"],
        list(views),
    )
    found = [
        TopProduct(
            product_id=r["product_id"],
            title=r["title"],
            image=r["image"],
            views=views.get(r["product_id"], 0),
            orders=int(r["orders"]),
            quantity=int(r["quantity"]),
            paid_amount=int(r["paid_amount"]),
        )
        for r in rows
    ]
    found.sort(key=lambda p: (-p.paid_amount, -p.views, p.product_id))
    return found[:TOP_PRODUCTS]


async def _by_distributor(conn: Connection, session_id: int) -> list[DistributorFigures]:
    rows = await conn.fetch(
        "SELECT d.distributor_id, u.display_name, count(*) AS orders,"
        " sum(o.pay_amount - o.refunded_amount)::bigint AS gmv,"
        " coalesce(sum(c.earned), 0)::bigint AS commission"
        " FROM orders o"
        " CROSS JOIN LATERAL (SELECT (o.attribution->>'distributorId')::int AS distributor_id) d"
        " JOIN users u ON u.id = d.distributor_id"
        " LEFT JOIN LATERAL (SELECT sum(amount - reversed_amount) AS earned FROM commissions"
        "   WHERE order_id = o.id) c ON true"
        f" WHERE {_PAID} AND d.distributor_id IS NOT NULL"
        " GROUP BY d.distributor_id, u.display_name ORDER BY gmv DESC, d.distributor_id",
        session_id,
    )
    return [
        DistributorFigures(
            distributor_id=r["distributor_id"],
            name=r["display_name"],
            orders=int(r["orders"]),
            gmv=int(r["gmv"]),
            commission=int(r["commission"]),
        )
        for r in rows
    ]
