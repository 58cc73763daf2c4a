"""关注: a viewer follows a room. One row per (room, user) (a unique key: following twice is
following once); the count is in the room's detail and its join snapshot. Those who plug in
(a giveaway's follow task) hear of a new follow through `RoomHooks.followed`, in its
transaction; outreach reads `followers_of` to reach them."""

from __future__ import annotations

from typing import Any

from asyncpg import Connection

from livecommerce.domains.live import queries
from livecommerce.domains.live.hooks import RoomHooks
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.schema import Out


class FollowOut(Out):
    room_id: int
    following: bool  # you follow the room
    followers: int  # how many do


async def count(conn: Connection, room_id: int) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM room_follows WHERE room_id = $1", room_id))


async def follows(conn: Connection, room_id: int, user_id: int) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM room_follows WHERE room_id = $1 AND user_id = $2)",
            room_id,
            user_id,
        )
    )


async def follow(hooks: RoomHooks, room_id: int, actor: Actor) -> FollowOut:
    """Follow (idempotent). A banned viewer may follow: it gives them nothing in the room."""
    async with db.transaction() as tx:
        await queries.room(tx.conn, room_id)
        added = await tx.conn.fetchval(
            "INSERT INTO room_follows (room_id, user_id, created_at) VALUES ($1, $2, now())"
            " ON CONFLICT (room_id, user_id) DO NOTHING RETURNING id",
            room_id,
            actor.id,
        )
        if added is not None:
            for followed in hooks.followed:
                await followed(tx, room_id, actor.id)
        return FollowOut(room_id=room_id, following=True, followers=await count(tx.conn, room_id))


async def unfollow(room_id: int, actor: Actor) -> FollowOut:
    """Stop following (idempotent)."""
    async with db.transaction() as tx:
        await queries.room(tx.conn, room_id)
        await tx.conn.execute(
            "DELETE FROM room_follows WHERE room_id = $1 AND user_id = $2", room_id, actor.id
        )
        return FollowOut(room_id=room_id, following=False, followers=await count(tx.conn, room_id))


async def followers_of(
    conn: Connection, room_id: int, *, after_user_id: int = 0, limit: int = 500
) -> list[int]:
    """A page of the room's followers' user ids, ascending (outreach reaches them in chunks)."""
    rows = await conn.fetch(
        "SELECT user_id FROM room_follows WHERE room_id = $1 AND user_id > $2"
        " ORDER BY user_id LIMIT $3",
        room_id,
        after_user_id,
        limit,
    )
    return [row["user_id"] for row in rows]


async def snapshot_part(conn: Connection, room_id: int, actor: Actor | None) -> dict[str, Any]:
    """The join snapshot's `follow`: the count, and whether this viewer follows."""
    mine = actor is not None and await follows(conn, room_id, actor.id)
    return {"follow": {"followers": await count(conn, room_id), "following": mine}}
