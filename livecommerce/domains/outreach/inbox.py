"""The inbox: a user's 'inbox' deliveries that were sent, newest first. Read = opened_at.

Title and body are rendered when read, in the user's language of now, from the message's
template and context (nothing rendered is stored, so a changed language applies to old items).
Every query names the user: another user's item is simply not found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from asyncpg import Connection, Record

from livecommerce.domains.outreach import links
from livecommerce.domains.outreach.templates import render

VISIBLE = "d.channel = 'inbox' AND d.status IN ('sent', 'delivered')"


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    journey: str
    title: str
    body: str
    link: str  # the message's page on this site
    tracked_link: str  # /o/{token}: follows to `link`, recording the click (what the page links)
    read: bool
    created_at: str
    host_id: int | None


_SELECT = (
    "SELECT d.id, d.opened_at, d.sent_at, d.host_id, m.journey, m.template, m.context, m.link,"
    " coalesce(nullif(u.display_name, ''), u.username) AS name, coalesce(p.lang, '') AS lang"
    " FROM outreach_deliveries d JOIN outreach_messages m ON m.id = d.message_id"
    " JOIN users u ON u.id = d.user_id LEFT JOIN outreach_preferences p ON p.user_id = d.user_id"
    f" WHERE d.user_id = $1 AND {VISIBLE}"
)


def _item(row: Record) -> Item:
    context = row["context"]
    values: dict[str, Any] = json.loads(context) if isinstance(context, str) else dict(context)
    text = render(row["template"], row["lang"], row["name"], values)
    return Item(
        id=row["id"],
        journey=row["journey"],
        title=text.title,
        body=text.body,
        link=row["link"],
        tracked_link=f"/o/{links.track_token(row['id'])}",
        read=row["opened_at"] is not None,
        created_at=row["sent_at"].isoformat() if row["sent_at"] else "",
        host_id=row["host_id"],
    )


async def page(conn: Connection, user_id: int, before: int | None, limit: int) -> list[Item]:
    """Newest first; `before` an item id for the next page (keyset: stable while items arrive)."""
    rows = await conn.fetch(
        _SELECT + " AND ($2::int IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $3",
        user_id,
        before,
        limit,
    )
    return [_item(r) for r in rows]


async def item(conn: Connection, user_id: int, delivery_id: int) -> Item | None:
    row = await conn.fetchrow(_SELECT + " AND d.id = $2", user_id, delivery_id)
    return _item(row) if row else None


async def unread(conn: Connection, user_id: int) -> int:
    return await conn.fetchval(
        f"SELECT count(*) FROM outreach_deliveries d WHERE d.user_id = $1 AND {VISIBLE}"
        " AND d.opened_at IS NULL",
        user_id,
    )


async def mark_read(conn: Connection, user_id: int, delivery_id: int) -> bool:
    """False if it is not this user's inbox item. Reading it twice keeps the first time."""
    found = await conn.fetchval(
        "UPDATE outreach_deliveries d SET opened_at = coalesce(d.opened_at, now())"
        f" WHERE d.id = $2 AND d.user_id = $1 AND {VISIBLE} RETURNING d.id",
        user_id,
        delivery_id,
    )
    return found is not None


async def mark_all_read(conn: Connection, user_id: int) -> int:
    result = await conn.execute(
        "UPDATE outreach_deliveries d SET opened_at = now()"
        f" WHERE d.user_id = $1 AND {VISIBLE} AND d.opened_at IS NULL",
        user_id,
    )
    return int(result.split()[-1])
