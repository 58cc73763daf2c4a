"""The Redis gate of a flash sale: the free unit numbers, who holds which, and each buyer's
count, all checked and taken in one Lua call (flash_take.lua) before PostgreSQL is touched.

Every key of a sale lives under its room's hash tag `{room:ID}` (one Redis Cluster slot, and each
script touches only those keys). Redis may lose it all at any moment: the gate is rebuilt from
PostgreSQL's `flash_units` (a unit held by an order is taken; any other is free; each buyer's
count is what their orders hold). A rebuild that raced with a take still never oversells:
(sale_id, unit_no) is unique in PostgreSQL, so a unit handed out twice is refused there.

The room hears how many are left, coalesced to one event per sale per tick and process, and at
once when the last unit goes (已抢光 the moment it is gone).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog
from asyncpg import Connection, Record
from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.typing import EncodableT

from livecommerce.domains.live import events as room_events
from livecommerce.infra.redis import load_script

log = structlog.get_logger("marketing.flash")

LUA_DIR = Path(__file__).resolve().parent / "lua"
SCRIPT_NAMES = ("flash_take", "flash_give", "flash_load", "flash_left")
# Kept a day past the sale's close: orders cancelled late still give units back to it.
TTL_AFTER_END_SECONDS = 86_400
LEFT_EVENT_EVERY = 0.2  # seconds: the room's tick


def script(redis: Redis, name: str) -> AsyncScript:
    """The named script for this client (EVALSHA, reloaded automatically after a restart)."""
    cache: dict[str, AsyncScript] | None = getattr(redis, "_flash_scripts", None)
    if cache is None:
        cache = {n: load_script(redis, LUA_DIR / f"{n}.lua") for n in SCRIPT_NAMES}
        redis._flash_scripts = cache  # type: ignore[attr-defined]  # cache kept on the client
    return cache[name]


def keys(room_id: int, sale_id: int) -> list[str]:
    """meta, free, held, users: the keys of flash_*.lua."""
    base = f"{{room:{room_id}}}:flash:{sale_id}"
    return [base, f"{base}:free", f"{base}:held", f"{base}:users"]


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class Take:
    """What flash_take.lua said: `outcome` 1 taken (`units`), 0 sold out, -2 over the limit
    (`count` held), -3 fewer left than asked (`count` left), -4 not started, -5 ended."""

    outcome: int
    count: int = 0
    units: tuple[int, ...] = ()


async def take(redis: Redis, sale: Record, user_id: int, qty: int, now: datetime) -> Take:
    """Take `qty` units for `user_id`, rebuilding the gate from PostgreSQL first if it is lost."""
    run = script(redis, "flash_take")
    sale_keys = keys(sale["room_id"], sale["id"])
    args = [user_id, qty, _ms(now)]
    raw = await run(keys=sale_keys, args=args)
    if int(raw[0]) == -1:
        if not await rebuild(redis, sale):
            return Take(-5)
        raw = await run(keys=sale_keys, args=args)
    outcome = int(raw[0])
    if outcome == 1:
        left = int(raw[1])
        note_left(sale["room_id"], sale["id"], left)
        return Take(1, left, tuple(int(u) for u in raw[2:]))
    return Take(outcome, int(raw[1]) if len(raw) > 1 else 0)


async def give(redis: Redis, room_id: int, sale_id: int, units: list[int]) -> None:
    """Units back to the gate (their order was cancelled or never written); a unit not held is
    skipped, so giving twice is harmless. A lost gate needs nothing: its rebuild reads the rows."""
    if not units:
        return
    left = int(await script(redis, "flash_give")(keys=keys(room_id, sale_id), args=units))
    if left >= 0:
        note_left(room_id, sale_id, left)


async def left(redis: Redis, sale: Record) -> int:
    """Units free now, rebuilding the gate if it is lost."""
    sale_keys = keys(sale["room_id"], sale["id"])
    found = int(await script(redis, "flash_left")(keys=sale_keys))
    if found < 0:
        if not await rebuild(redis, sale):
            return 0
        found = int(await script(redis, "flash_left")(keys=sale_keys))
    return max(found, 0)


async def units_held(conn: Connection, sale_id: int) -> list[Record]:
    return await conn.fetch("SELECT unit_no, buyer_id FROM flash_units WHERE sale_id = $1", sale_id)


async def rebuild(redis: Redis, sale: Record) -> bool:
    """Load the gate from PostgreSQL: a unit with a row (held by an order, or given back to the
    SKU at the end) is not free; each held unit counts for its buyer. False: the sale has
    ended (nothing to load)."""
    from livecommerce.infra import db

    async with db.connection() as conn:
        fresh = await conn.fetchrow(
            "SELECT id, room_id, quantity, per_user_limit, starts_at, ends_at, status"
            " FROM flash_sales WHERE id = $1",
            sale["id"],
        )
        if fresh is None or fresh["status"] != "active":
            return False
        rows = await units_held(conn, sale["id"])
    await load(redis, fresh, rows)
    return True


async def load(redis: Redis, sale: Record, rows: list[Record]) -> None:
    taken = {row["unit_no"] for row in rows}
    free = [u for u in range(1, sale["quantity"] + 1) if u not in taken]
    held: list[EncodableT] = []
    for row in rows:
        if row["buyer_id"] is not None:
            held += [row["unit_no"], row["buyer_id"]]
    ends = _ms(sale["ends_at"])
    ttl = max(60, int(sale["ends_at"].timestamp() - time.time()))
    args: list[EncodableT] = [
        _ms(sale["starts_at"]),
        ends,
        sale["per_user_limit"],
        ttl + TTL_AFTER_END_SECONDS,
        len(free),
        *free,
        *held,
    ]
    await script(redis, "flash_load")(keys=keys(sale["room_id"], sale["id"]), args=args)
    log.info("flash_gate_loaded", sale_id=sale["id"], free=len(free), held=len(held) // 2)


async def drop(redis: Redis, room_id: int, sale_id: int) -> None:
    """Forget the gate (the sale ended and gave its units back)."""
    await redis.delete(*keys(room_id, sale_id))


# --- "剩余 N 件" in the room ------------------------------------------------------------------

_latest: dict[tuple[int, int], int] = {}
_flushing: set[tuple[int, int]] = set()
_publishing: set[asyncio.Task[None]] = set()  # held until done (the loop keeps weak refs)


def _start(key: tuple[int, int]) -> None:
    task = asyncio.get_running_loop().create_task(_publish(key))
    _publishing.add(task)
    task.add_done_callback(_publishing.discard)


def note_left(room_id: int, sale_id: int, units_left: int) -> None:
    """Tell the room how many are left: the latest figure once per tick, the last unit at once."""
    key = (room_id, sale_id)
    _latest[key] = units_left
    if units_left == 0:
        _start(key)
        return
    if key not in _flushing:
        _flushing.add(key)
        asyncio.get_running_loop().call_later(LEFT_EVENT_EVERY, _start, key)


async def _publish(key: tuple[int, int]) -> None:
    _flushing.discard(key)
    units_left = _latest.pop(key, None)
    if units_left is None:
        return
    room_id, sale_id = key
    await room_events.publish(
        room_id, room_events.event("flash_left", saleId=sale_id, left=units_left, priority=True)
    )
