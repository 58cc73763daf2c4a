"""Product opens in a room: the funnel step between watching and ordering.

A viewer opening a product card (the pinned one, or one in the bag) sends `view_product` over
the room socket; the hub sums them per tick and applies them with its counters script
(realtime/counters.py PRODUCT_VIEWS_LUA), counting only ids in the room's showcase set, which
this module keeps equal to the showcase in PostgreSQL. The figures are saved on the session row
with the others (figures.py) and are restored from there if Redis loses them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, cast

from asyncpg import Connection
from redis.asyncio import Redis

from livecommerce.infra.redis import room_pipeline
from livecommerce.realtime import counters as room_counters

# Put back opens per product where Redis holds fewer (after a loss), never lowering one.
RAISE_FIELDS_LUA = """
for i = 1, #ARGV, 2 do
  if tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0') < tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 1
"""


@dataclass
class ProductFigures:
    clicks: int = 0
    visitors: int = 0
    by_product: dict[int, int] = field(default_factory=dict)


def session_keys(room_id: int) -> list[str]:
    """What a new session starts without: last session's opens and chat."""
    _, views, visitors, _ = room_counters.product_keys(room_id)
    return [views, visitors, room_counters.chat_key(room_id)]


async def write_showcase(redis: Redis, room_id: int, product_ids: list[int]) -> None:
    """The product ids the hub may count opens of (replaced at once: MULTI)."""
    key = room_counters.product_keys(room_id)[3]
    pipe = await room_pipeline(redis, key, transaction=True)
    pipe.delete(key)
    if product_ids:
        pipe.sadd(key, *product_ids)
    await pipe.execute()


async def showcase_ids(conn: Connection, room_id: int) -> list[int]:
    rows = await conn.fetch("SELECT product_id FROM room_products WHERE room_id = $1", room_id)
    return [r["product_id"] for r in rows]


async def ensure_showcase(conn: Connection, redis: Redis, room_id: int) -> None:
    """Rebuild the showcase set if Redis lost it (a checkpoint calls this every 10 s)."""
    if not await redis.exists(room_counters.product_keys(room_id)[3]):
        await write_showcase(redis, room_id, await showcase_ids(conn, room_id))


async def read(redis: Redis, room_id: int) -> ProductFigures:
    counters, views, visitors, _ = room_counters.product_keys(room_id)
    pipe = await room_pipeline(redis, counters)  # PFCOUNT: no cluster pipeline takes it
    pipe.hmget(counters, ["productClicks", "pvFloor"])
    pipe.pfcount(visitors)
    pipe.hgetall(views)
    (clicks, floor), counted, by_product = await pipe.execute()
    return ProductFigures(
        clicks=int(clicks or 0),
        visitors=max(int(counted or 0), int(floor or 0)),
        by_product={int(k): int(v) for k, v in by_product.items()},
    )


async def restore(redis: Redis, room_id: int, floor: ProductFigures) -> None:
    """Raise Redis to the saved figures where it is below them (the hub's counters script raises
    `productClicks` and `pvFloor` with the other fields, see figures.restore)."""
    if not floor.by_product:
        return
    args: list[Any] = []
    for product_id, opens in floor.by_product.items():
        args += [product_id, opens]
    raised = redis.eval(RAISE_FIELDS_LUA, 1, room_counters.product_keys(room_id)[1], *args)
    await cast("Awaitable[int]", raised)


def saved(row: Any) -> dict[int, int]:
    """A session row's opens per product (JSONB: a dict, or its text)."""
    raw = row["product_views"]
    found = json.loads(raw) if isinstance(raw, str) else (raw or {})
    return {int(k): int(v) for k, v in found.items()}
