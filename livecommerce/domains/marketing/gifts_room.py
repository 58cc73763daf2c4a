"""What tips add to a live room's join snapshot: the catalogue, and the session's top tippers
when the operator turned leaderboards on (`gifts` key; one or two cheap queries per join)."""

from __future__ import annotations

from typing import Any

import msgspec
from asyncpg import Connection

from livecommerce.domains.live import queries as rooms
from livecommerce.domains.marketing import gifts_catalogue, gifts_reports, gifts_settings
from livecommerce.infra.auth import Actor


async def room_gifts(conn: Connection, room_id: int, actor: Actor | None) -> dict[str, Any]:
    settings = await gifts_settings.load(conn)
    catalogue = await gifts_catalogue.enabled_gifts(conn)
    leaderboard = None
    if settings.leaderboards_enabled:
        session = await rooms.live_session(conn, room_id)
        leaderboard = (
            msgspec.to_builtins(await gifts_reports.top_tippers(conn, session["id"]))
            if session is not None
            else []
        )
    return {
        "gifts": {
            "catalogue": msgspec.to_builtins(catalogue),
            "leaderboardsEnabled": settings.leaderboards_enabled,
            "leaderboard": leaderboard,
        }
    }
