"""A live session's figures: counters in Redis, a floor in PostgreSQL.

Redis holds the live counters. Every few seconds (and at the end) they are saved on the
session row, and the saved row is a floor: if Redis restarted and lost them, the next
read or checkpoint writes the floor back, so a counter never goes below what was saved.
Orders and GMV are not counted in Redis at all for the record: PostgreSQL's paid orders of
the session are the truth, and the checkpoint sets Redis to them.
"""

from __future__ import annotations

from asyncpg import Connection, Record
from redis.asyncio import Redis

from livecommerce.realtime import counters as room_counters

# Raise each field to at least its floor (HSET only where lower); the unique-viewer
# HyperLogLog can't be rebuilt from a number, so its floor is kept beside it.
RESTORE_LUA = """
for i = 1, #ARGV, 2 do
  local name, floor = ARGV[i], tonumber(ARGV[i + 1])
  if tonumber(redis.call('HGET', KEYS[1], name) or '0') < floor then
    redis.call('HSET', KEYS[1], name, floor)
  end
end
return 1
"""

_SAVED = {
    "peak": "peak_online",
    "uniqueViewers": "unique_viewers",
    "views": "views",
    "likes": "likes",
    "comments": "comments",
}


async def paid_orders(conn: Connection, session_id: int) -> tuple[int, int]:
    row = await conn.fetchrow(
        "SELECT count(*) AS n, coalesce(sum(pay_amount - refunded_amount), 0) AS gmv FROM orders"
        " WHERE session_id = $1 AND paid_at IS NOT NULL AND status <> 'refunded'",
        session_id,
    )
    return int(row["n"]), int(row["gmv"])


def floor_of(session: Record) -> dict[str, int]:
    return {name: int(session[column]) for name, column in _SAVED.items()}


def merged(live: dict[str, int], floor: dict[str, int]) -> dict[str, int]:
    return {name: max(value, floor.get(name, 0)) for name, value in live.items()}


async def restore(redis: Redis, room_id: int, floor: dict[str, int], orders: int, gmv: int) -> None:
    """Put the floor back where Redis is below it; orders and gmv are set to PostgreSQL's truth."""
    key = room_counters.keys(room_id)[0]
    args: list[str] = []
    for name, value in floor.items():
        args += ["uvFloor" if name == "uniqueViewers" else name, str(value)]
    pipe = redis.pipeline(transaction=False)
    pipe.eval(RESTORE_LUA, 1, key, *args)
    pipe.hset(key, mapping={"orders": orders, "gmv": gmv})
    await pipe.execute()


async def save(conn: Connection, session_id: int, live: dict[str, int]) -> Record:
    """Raise the saved figures to what Redis shows (never lower them) and return the row."""
    orders, gmv = await paid_orders(conn, session_id)
    return await conn.fetchrow(
        "UPDATE live_sessions SET peak_online = greatest(peak_online, $2),"
        " unique_viewers = greatest(unique_viewers, $3),"
        " views = greatest(views, $4), likes = greatest(likes, $5),"
        " comments = greatest(comments, $6),"
        " orders = $7, gmv = $8, figures_saved_at = now() WHERE id = $1 RETURNING *",
        session_id,
        live.get("peak", 0),
        live.get("uniqueViewers", 0),
        live.get("views", 0),
        live.get("likes", 0),
        live.get("comments", 0),
        orders,
        gmv,
    )
