"""What a host can filter its funnels by: its rooms, their recent broadcasts, its products and
the distributors who brought it viewers, by name, so the analytics page offers choices instead
of asking for ids."""

from __future__ import annotations

from livecommerce.domains.analytics.schemas import FilterChoice, FilterOptions, SessionChoice
from livecommerce.infra import db

MAX_CHOICES = 200


async def filter_options(host_id: int) -> FilterOptions:
    async with db.connection() as conn:
        rooms = await conn.fetch(
            "SELECT id, title FROM rooms WHERE host_id = $1 ORDER BY id DESC LIMIT $2",
            host_id,
            MAX_CHOICES,
        )
        sessions = await conn.fetch(
            "SELECT s.id, s.title, s.room_id, s.status, s.started_at FROM live_sessions s"
            " JOIN rooms r ON r.id = s.room_id WHERE r.host_id = $1"
            " ORDER BY coalesce(s.started_at, s.scheduled_at, s.created_at) DESC LIMIT $2",
            host_id,
            MAX_CHOICES,
        )
        products = await conn.fetch(
            "SELECT id, title FROM products WHERE host_id = $1 ORDER BY id DESC LIMIT $2",
            host_id,
            MAX_CHOICES,
        )
        # Distributors whose buyers were bound to this host's orders (the order's snapshot),
        # the ones who sold most first.
        distributors = await conn.fetch(
            "SELECT u.id, coalesce(nullif(u.display_name, ''), u.username) AS title"
            " FROM (SELECT c.distributor_id, sum(c.amount) AS earned FROM commissions c"
            "   JOIN orders o ON o.id = c.order_id WHERE o.host_id = $1 AND c.level = 1"
            "   GROUP BY c.distributor_id ORDER BY earned DESC LIMIT $2) d"
            " JOIN users u ON u.id = d.distributor_id ORDER BY d.earned DESC",
            host_id,
            MAX_CHOICES,
        )
    return FilterOptions(
        rooms=[FilterChoice(id=r["id"], title=r["title"]) for r in rooms],
        sessions=[
            SessionChoice(
                id=s["id"],
                title=s["title"],
                room_id=s["room_id"],
                status=s["status"],
                started_at=s["started_at"],
            )
            for s in sessions
        ],
        products=[FilterChoice(id=p["id"], title=p["title"]) for p in products],
        distributors=[FilterChoice(id=d["id"], title=d["title"]) for d in distributors],
    )
