"""Tip figures: a session's (its report), a host's (its earnings), and a session's top tippers
(the room's leaderboard, when the operator turned leaderboards on). Reads only."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from asyncpg import Connection

from livecommerce.domains.live.report import hosted_session
from livecommerce.domains.marketing.gifts_schemas import GiftCount, HostTips, SessionTips, Tipper
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.text import mask_name
from livecommerce.settings import Settings

TOP_GIFTS = 10
TOP_TIPPERS = 10


async def top_tippers(conn: Connection, session_id: int, limit: int = TOP_TIPPERS) -> list[Tipper]:
    """The session's biggest tippers by fen, names masked (a ranking of spend is not a roll of
    names)."""
    rows = await conn.fetch(
        "SELECT t.sender_id, u.display_name, sum(t.amount)::bigint AS amount"
        " FROM gift_tips t JOIN users u ON u.id = t.sender_id WHERE t.session_id = $1"
        " GROUP BY t.sender_id, u.display_name ORDER BY amount DESC, t.sender_id LIMIT $2",
        session_id,
        limit,
    )
    return [
        Tipper(user_id=r["sender_id"], name=mask_name(r["display_name"]), amount=int(r["amount"]))
        for r in rows
    ]


async def session_tips(session_id: int, actor: Actor) -> SessionTips:
    """The session's tips for its host (or an admin); anyone else's session is 404."""
    async with db.connection() as conn:
        await hosted_session(conn, session_id, actor)
        totals = await conn.fetchrow(
            "SELECT count(*) AS tips, count(DISTINCT sender_id) AS tippers,"
            " coalesce(sum(amount), 0)::bigint AS amount,"
            " coalesce(sum(host_share), 0)::bigint AS host_share,"
            " coalesce(sum(fee), 0)::bigint AS fee FROM gift_tips WHERE session_id = $1",
            session_id,
        )
        gifts = await conn.fetch(
            "SELECT t.gift_id, max(t.gift_name) AS name, max(g.icon) AS icon, count(*) AS tips,"
            " sum(t.quantity)::bigint AS quantity, sum(t.amount)::bigint AS amount"
            " FROM gift_tips t JOIN gifts g ON g.id = t.gift_id WHERE t.session_id = $1"
            " GROUP BY t.gift_id ORDER BY amount DESC, t.gift_id LIMIT $2",
            session_id,
            TOP_GIFTS,
        )
        tippers = await top_tippers(conn, session_id)
    return SessionTips(
        session_id=session_id,
        tips=int(totals["tips"]),
        tippers=int(totals["tippers"]),
        amount=int(totals["amount"]),
        host_share=int(totals["host_share"]),
        fee=int(totals["fee"]),
        top_gifts=[
            GiftCount(
                gift_id=g["gift_id"],
                name=g["name"],
                icon=g["icon"],
                tips=int(g["tips"]),
                quantity=int(g["quantity"]),
                amount=int(g["amount"]),
            )
            for g in gifts
        ],
        top_tippers=tippers,
    )


async def host_tips(settings: Settings, host_id: int) -> HostTips:
    """The host's tips today (the business day) and in all, with its share after the fee."""
    zone = ZoneInfo(settings.business_timezone)
    start = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE created_at >= $2) AS today_tips,"
            " coalesce(sum(amount) FILTER (WHERE created_at >= $2), 0)::bigint AS today_amount,"
            " coalesce(sum(host_share) FILTER (WHERE created_at >= $2), 0)::bigint AS today_share,"
            " count(*) AS total_tips, coalesce(sum(amount), 0)::bigint AS total_amount,"
            " coalesce(sum(host_share), 0)::bigint AS total_share"
            " FROM gift_tips WHERE host_id = $1",
            host_id,
            start,
        )
    return HostTips(
        today_tips=int(row["today_tips"]),
        today_amount=int(row["today_amount"]),
        today_host_share=int(row["today_share"]),
        total_tips=int(row["total_tips"]),
        total_amount=int(row["total_amount"]),
        total_host_share=int(row["total_share"]),
    )
