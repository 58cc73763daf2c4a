"""Room counters in Redis, all keys of a room under the hash tag `{room:ID}` (one cluster slot).

- online: each api process writes its own local socket count with a heartbeat (hash
  proc -> count, zset proc -> last beat, Redis clock). A process that dies stops beating
  and its count is dropped after `presence_ttl`: crash-safe, and one write per process
  per tick however many viewers it holds.
- peak online, views, likes, comments, orders, gmv: fields of one hash.
- unique viewers: a HyperLogLog of user or guest ids.
- product opens (a viewer opened a product card): `productClicks` in the hash, opens per
  product in their own hash (only ids in the room's showcase set, which the live domain keeps),
  and the viewers who opened any in a second HyperLogLog; applied with the tick, like likes.
One script call per room per tick applies this process's deltas and reads every counter.
An epoch field tells a new session's reset from Redis losing the hash (see TICK_LUA).
"""

from __future__ import annotations

import uuid
from typing import Any

from redis.asyncio import Redis

from livecommerce.infra.redis import room_pipeline

COUNTER_NAMES = ("online", "peak", "uniqueViewers", "views", "likes", "comments", "orders", "gmv")
# Deltas a domain may add directly (one HINCRBY per business event, not per viewer).
ADDABLE = frozenset({"views", "likes", "comments", "orders", "gmv"})
_PFADD_CHUNK = 1000  # stay far below Lua's unpack() stack limit


def channel(room_id: int) -> str:
    """The room's pub/sub channel: under the room's hash tag, so on a cluster its sharded
    channel (SPUBLISH) lives on the node that holds the room's keys."""
    return f"{{room:{room_id}}}:events"


def room_of_channel(name: bytes | str) -> int:
    raw = name.encode() if isinstance(name, str) else name
    return int(raw[raw.index(b":") + 1 : raw.index(b"}")])


def keys(room_id: int) -> list[str]:
    tag = f"{{room:{room_id}}}"
    return [f"{tag}:counters", f"{tag}:uv", f"{tag}:online", f"{tag}:beats"]


def product_keys(room_id: int) -> list[str]:
    """The counters hash, opens per product, the viewers who opened one (HyperLogLog) and the
    showcase (the product ids that may be counted)."""
    tag = f"{{room:{room_id}}}"
    return [f"{tag}:counters", f"{tag}:pviews", f"{tag}:pvisitors", f"{tag}:showcase"]


def chat_key(room_id: int) -> str:
    """The room's last chat lines (encoded events), newest last: what a reloaded console shows."""
    return f"{{room:{room_id}}}:chat"


TICK_LUA = """
-- The epoch names the counters' lifetime (a session). Set by reset(); missing while this
-- process knew one (ARGV[9]) means Redis lost the hash (a restart without persistence): then
-- apply nothing, the hub restores its last reading first (RESTORE_LUA) and retries its deltas.
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  if ARGV[9] ~= '' then return {0, 0, 0, 0, 0, 0, 0, 0, '', 1} end
  if ARGV[10] ~= '' then redis.call('HSET', KEYS[1], 'epoch', ARGV[10]) epoch = ARGV[10] end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = tonumber(ARGV[3])
local proc = ARGV[1]
local n = tonumber(ARGV[2])
-- sockets that came and went between two ticks still count towards the peak
local high = math.max(n, tonumber(ARGV[8]))
if proc ~= '' then
  if n > 0 then
    redis.call('HSET', KEYS[3], proc, n)
    redis.call('ZADD', KEYS[4], now, proc)
  else
    redis.call('HDEL', KEYS[3], proc)
    redis.call('ZREM', KEYS[4], proc)
  end
  redis.call('PEXPIRE', KEYS[3], math.ceil(ttl * 3000))
  redis.call('PEXPIRE', KEYS[4], math.ceil(ttl * 3000))
end
local stale = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - ttl)
for _, p in ipairs(stale) do
  redis.call('HDEL', KEYS[3], p)
  redis.call('ZREM', KEYS[4], p)
end
local online = 0
for _, v in ipairs(redis.call('HVALS', KEYS[3])) do online = online + tonumber(v) end
local names = {'likes', 'views', 'comments'}
for i, name in ipairs(names) do
  local d = tonumber(ARGV[3 + i])
  if d ~= 0 then redis.call('HINCRBY', KEYS[1], name, d) end
end
local chunk = tonumber(ARGV[7])
local i = 11
while i <= #ARGV do
  redis.call('PFADD', KEYS[2], unpack(ARGV, i, math.min(i + chunk - 1, #ARGV)))
  i = i + chunk
end
local peak = tonumber(redis.call('HGET', KEYS[1], 'peak') or '0')
local candidate = online - n + high
if candidate > peak then
  redis.call('HSET', KEYS[1], 'peak', candidate)
  peak = candidate
end
local c = redis.call('HMGET', KEYS[1], 'views', 'likes', 'comments', 'orders', 'gmv', 'uvFloor')
-- the floor restored from PostgreSQL after Redis lost the HyperLogLog (domains/live/figures.py)
local uv = math.max(redis.call('PFCOUNT', KEYS[2]), tonumber(c[6] or '0'))
return {online, peak, uv,
        tonumber(c[1] or '0'), tonumber(c[2] or '0'), tonumber(c[3] or '0'),
        tonumber(c[4] or '0'), tonumber(c[5] or '0'), epoch or '', 0}
"""

# After a loss, one process puts back what it last read (never lowering a field another path,
# e.g. the PostgreSQL floor of domains/live/figures.py, raised meanwhile) and the epoch, so the
# other processes find it and carry on; the first to get here wins, the rest change nothing.
RESTORE_LUA = """
if redis.call('HGET', KEYS[1], 'epoch') then return 0 end
for i = 2, #ARGV, 2 do
  local name, value = ARGV[i], tonumber(ARGV[i + 1])
  if tonumber(redis.call('HGET', KEYS[1], name) or '0') < value then
    redis.call('HSET', KEYS[1], name, value)
  end
end
redis.call('HSET', KEYS[1], 'epoch', ARGV[1])
return 1
"""
# Within one epoch these only grow. After a loss the first process to restore may hold an
# older reading than another (its last read can be a counters interval old); the others then
# read less than they showed and put their own reading back, again only raising fields.
RAISE_LUA = """
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
for i = 2, #ARGV, 2 do
  local name, value = ARGV[i], tonumber(ARGV[i + 1])
  if tonumber(redis.call('HGET', KEYS[1], name) or '0') < value then
    redis.call('HSET', KEYS[1], name, value)
  end
end
return 1
"""
# Product opens since the last tick, applied after the tick script in the same pipeline and only
# while the counters exist: when the tick found them lost, nothing is applied here either and the
# hub retries these deltas with the others once it has restored the counters.
# ARGV[1]: how many (viewer, product, opens) triples follow; then the triples.
PRODUCT_VIEWS_LUA = """
if not redis.call('HGET', KEYS[1], 'epoch') then return 0 end
local n = tonumber(ARGV[1])
local total, viewers = 0, {}
for i = 2, 1 + 3 * n, 3 do
  if redis.call('SISMEMBER', KEYS[4], ARGV[i + 1]) == 1 then
    local opens = tonumber(ARGV[i + 2])
    redis.call('HINCRBY', KEYS[2], ARGV[i + 1], opens)
    total = total + opens
    viewers[#viewers + 1] = ARGV[i]
    if #viewers >= 1000 then
      redis.call('PFADD', KEYS[3], unpack(viewers))
      viewers = {}
    end
  end
end
if #viewers > 0 then redis.call('PFADD', KEYS[3], unpack(viewers)) end
if total > 0 then redis.call('HINCRBY', KEYS[1], 'productClicks', total) end
return 1
"""

MONOTONIC = ("peak", "uniqueViewers", "views", "likes", "comments")
# Restored from a reading; online is presence (rebuilt by the heartbeats), not a tally.
_RESTORED = {
    "peak": "peak",
    "uniqueViewers": "uvFloor",
    "views": "views",
    "likes": "likes",
    "comments": "comments",
    "orders": "orders",
    "gmv": "gmv",
}


class Deltas:
    """What one process has to add to a room's counters at its next tick."""

    __slots__ = ("comments", "high", "likes", "opens", "viewers", "views")

    def __init__(self) -> None:
        self.high = 0  # most local sockets at once since the last tick, for the peak
        self.likes = 0
        self.views = 0
        self.comments = 0
        self.viewers: list[str] = []
        self.opens: dict[tuple[str, int], int] = {}  # (viewer, product id) -> product opens

    def merge(self, other: Deltas) -> None:
        self.likes += other.likes
        self.views += other.views
        self.comments += other.comments
        self.viewers.extend(other.viewers)
        self.high = max(self.high, other.high)
        for key, opens in other.opens.items():
            self.opens[key] = self.opens.get(key, 0) + opens


def product_view_args(deltas: Deltas) -> list[Any]:
    args: list[Any] = [len(deltas.opens)]
    for (viewer, product_id), opens in deltas.opens.items():
        args += [viewer, product_id, opens]
    return args


def tick_args(
    proc: str, local_count: int, ttl: float, deltas: Deltas, known: str = "", fresh: str = ""
) -> list[Any]:
    """`known`: the epoch this process last read ('' if none); `fresh`: one to set if there is
    none yet."""
    return [
        proc,
        local_count,
        ttl,
        deltas.likes,
        deltas.views,
        deltas.comments,
        _PFADD_CHUNK,
        max(local_count, deltas.high),
        known,
        fresh,
        *deltas.viewers,
    ]


def as_dict(reply: list[Any]) -> dict[str, int]:
    return {
        name: int(value)
        for name, value in zip(COUNTER_NAMES, reply[: len(COUNTER_NAMES)], strict=True)
    }


def epoch_of(reply: list[Any]) -> str:
    value = reply[len(COUNTER_NAMES)]
    return value.decode() if isinstance(value, bytes) else str(value)


def lost(reply: list[Any]) -> bool:
    """The tick found the room's counters gone (see TICK_LUA) and applied nothing."""
    return int(reply[len(COUNTER_NAMES) + 1]) == 1


def restore_args(epoch: str, reading: dict[str, int]) -> list[Any]:
    args: list[Any] = [epoch]
    for name, field in _RESTORED.items():
        args += [field, reading.get(name, 0)]
    return args


def raise_args(epoch: str, reading: dict[str, int]) -> list[Any]:
    args: list[Any] = [epoch]
    for name in MONOTONIC:
        args += [_RESTORED[name], reading.get(name, 0)]
    return args


def went_back(shown: dict[str, int], read: dict[str, int]) -> bool:
    return any(read.get(name, 0) < shown.get(name, 0) for name in MONOTONIC)


async def add(redis: Redis, room_id: int, **deltas: int) -> None:
    """Add to counters directly, e.g. orders=1, gmv=amount_fen when an order in the room is paid."""
    unknown = set(deltas) - ADDABLE
    if unknown:
        raise ValueError(f"not addable counters: {sorted(unknown)}")
    pipe = await room_pipeline(redis, keys(room_id)[0])
    for name, value in deltas.items():
        pipe.hincrby(keys(room_id)[0], name, value)
    await pipe.execute()


async def read(redis: Redis, room_id: int, presence_ttl: float = 10.0) -> dict[str, int]:
    """Every counter of a room, from any process (a worker, an api process without the room)."""
    reply = await redis.register_script(TICK_LUA)(
        keys=keys(room_id), args=tick_args("", 0, presence_ttl, Deltas())
    )
    return as_dict(reply)


async def reset(redis: Redis, room_id: int) -> None:
    """A new session starts from zero; presence is left alone (the viewers are still there)."""
    counters_key, uv_key, _, _ = keys(room_id)
    pipe = await room_pipeline(redis, counters_key, transaction=True)
    pipe.delete(counters_key, uv_key)
    pipe.hset(counters_key, "epoch", uuid.uuid4().hex)  # hubs see a new lifetime, not a loss
    await pipe.execute()
