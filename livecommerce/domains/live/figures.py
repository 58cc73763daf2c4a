"""A live session's figures: counters in Redis, a floor in PostgreSQL.

Redis holds the live counters. Every few seconds (and at the end) they are saved on the
session row, and the saved row is a floor: if Redis restarted and lost them, the next
read or checkpoint writes the floor back, so a counter never goes below what was saved.
Orders and GMV are not counted in Redis at all for the record: PostgreSQL's paid orders of
the session are the truth, and the checkpoint sets Redis to them.
"""

from __future__ import annotations

import json

from asyncpg import Connection, Record
from redis.asyncio import Redis

from livecommerce.infra.redis import room_pipeline
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
    "productClicks": "product_clicks",
    "productVisitors": "product_visitors",
}
# Where a floor goes in the counters hash: the HyperLogLogs can't be rebuilt from a number, so
# their floors are kept beside them (the readers take the larger).
_FLOOR_FIELD = {"uniqueViewers": "uvFloor", "productVisitors": "pvFloor"}


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
        args += [_FLOOR_FIELD.get(name, name), str(value)]
    pipe = await room_pipeline(redis, key)
    pipe.eval(RESTORE_LUA, 1, key, *args)
    pipe.hset(key, mapping={"orders": orders, "gmv": gmv})
    await pipe.execute()


async def save(
    conn: Connection,
    session_id: int,
    live: dict[str, int],
    by_product: dict[int, int] | None = None,
) -> Record:
    """Raise the saved figures to what Redis shows (never lower them) and return the row;
    `by_product`: product opens per product id, merged the same way."""
    orders, gmv = await paid_orders(conn, session_id)
    return await conn.fetchrow(
        "UPDATE live_sessions SET peak_online = greatest(peak_online, $2),"
        " unique_viewers = greatest(unique_viewers, $3),"
        " views = greatest(views, $4), likes = greatest(likes, $5),"
        " comments = greatest(comments, $6),"
        " orders = $7, gmv = $8,"
        " product_clicks = greatest(product_clicks, $9),"
        " product_visitors = greatest(product_visitors, $10),"
        " product_views = (SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM"
        "   (SELECT k, max(v) AS v FROM"
        "     (SELECT key AS k, value::bigint AS v FROM jsonb_each_text(product_views)"
        "      UNION ALL SELECT key, value::bigint FROM jsonb_each_text($11::jsonb)) opens"
        "    GROUP BY k) merged),"
        " figures_saved_at = now() WHERE id = $1 RETURNING *",
        session_id,
        live.get("peak", 0),
        live.get("uniqueViewers", 0),
        live.get("views", 0),
        live.get("likes", 0),
        live.get("comments", 0),
        orders,
        gmv,
        live.get("productClicks", 0),
        live.get("productVisitors", 0),
        json.dumps({str(k): v for k, v in (by_product or {}).items()}),
    )


async def sample(conn: Connection, session_id: int, counters: dict[str, int]) -> None:
    """The session's counters in this 10 s bucket (the last reading of the bucket wins)."""
    await conn.execute(
        "INSERT INTO live_session_samples"
        " (session_id, at, online, unique_viewers, likes, comments, orders, gmv)"
        " VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / 10) * 10),"
        " $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (session_id, at) DO UPDATE SET online = EXCLUDED.online,"
        " unique_viewers = EXCLUDED.unique_viewers, likes = EXCLUDED.likes,"
        " comments = EXCLUDED.comments, orders = EXCLUDED.orders, gmv = EXCLUDED.gmv",
        session_id,
        counters.get("online", 0),
        counters.get("uniqueViewers", 0),
        counters.get("likes", 0),
        counters.get("comments", 0),
        counters.get("orders", 0),
        counters.get("gmv", 0),
    )
