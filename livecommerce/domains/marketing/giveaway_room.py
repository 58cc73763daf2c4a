"""What giveaways plug into the live room (wired in livecommerce/wiring.py): the join snapshot's
`giveaway`, the comment task (a chat line with the keyword), the follow task, and watch time
(presence, giveaway_watch.py)."""

from __future__ import annotations

import time
from typing import Any

import msgspec
from asyncpg import Connection

from livecommerce.domains.marketing import giveaway_services as services
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.db import Tx

CACHE_SECONDS = 2.0  # a new giveaway's keyword counts on every process within this

# room id -> (loaded at, (giveaway id, keyword) of the running giveaway or None)
_running: dict[int, tuple[float, tuple[int, str | None] | None]] = {}
# (giveaway id, user id) whose comment task this process has recorded: a second line is free
_commented: set[tuple[int, int]] = set()
_COMMENTED_MAX = 100_000


def forget(room_id: int) -> None:
    """This process sees a giveaway it just started at once (the others within CACHE_SECONDS)."""
    _running.pop(room_id, None)


def forget_all() -> None:
    """Tests reuse room ids after truncating; production never does."""
    _running.clear()
    _commented.clear()


async def _running_in(room_id: int) -> tuple[int, str | None] | None:
    cached = _running.get(room_id)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT id, keyword FROM giveaways WHERE room_id = $1 AND status = 'running'"
            " AND ends_at > now()",
            room_id,
        )
    found = (row["id"], row["keyword"]) if row is not None else None
    _running[room_id] = (time.monotonic(), found)
    return found


async def snapshot_part(conn: Connection, room_id: int, actor: Actor | None) -> dict[str, Any]:
    """The join snapshot's `giveaway`: the running one (or the one just drawn), else null. The
    page asks GET /api/giveaways/{id}/me for the viewer's tasks."""
    row = await services.current_row(conn, room_id)
    if row is None:
        return {"giveaway": None}
    return {"giveaway": msgspec.to_builtins(await services.giveaway_out(conn, row))}


async def chatted(room_id: int, actor: Actor, text: str) -> None:
    """RoomHooks.chatted: a line with the running giveaway's keyword does the comment task (and
    enters the viewer if the other tasks are done). Lines without it cost a dict lookup."""
    running = await _running_in(room_id)
    if running is None or running[1] is None or running[1] not in text:
        return
    giveaway_id = running[0]
    if (giveaway_id, actor.id) in _commented:
        return
    await services.enter_if_done(giveaway_id, actor.id, commented=True)
    if len(_commented) >= _COMMENTED_MAX:
        _commented.clear()
    _commented.add((giveaway_id, actor.id))


async def followed(tx: Tx, room_id: int, user_id: int) -> None:
    """RoomHooks.followed: after the follow commits, the follow task may complete an entry."""

    async def recheck() -> None:
        async with db.connection() as conn:
            running = await conn.fetchval(
                "SELECT id FROM giveaways WHERE room_id = $1 AND status = 'running'", room_id
            )
        if running is not None:
            await services.enter_if_done(running, user_id)

    tx.after_commit(recheck)
