"""The Redis side of promotions: key names and the Lua scripts, a fast gate in front of PostgreSQL.

Every key of a room lives under the hash tag `{room:ID}` (one Redis Cluster slot), so a
script may touch the coupon or packet state and the room's presence together.
Redis may lose all of it at any time: each piece is rebuilt from PostgreSQL on demand.
"""

from __future__ import annotations

from pathlib import Path

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from livecommerce.infra.redis import load_script

LUA_DIR = Path(__file__).resolve().parent / "lua"
SCRIPT_NAMES = (
    "coupon_claim",
    "coupon_load",
    "coupon_release",
    "red_packet_grab",
    "red_packet_load",
    "red_packet_release",
)
STATE_TTL_SECONDS = 86_400  # refreshed by use; a key that lapses is rebuilt from PostgreSQL

_bound: Redis | None = None


def bind(redis: Redis | None) -> None:
    """The client for callers that have no request at hand (room websocket actions)."""
    global _bound
    _bound = redis


def bound() -> Redis:
    if _bound is None:
        raise RuntimeError("promotions: no Redis client bound (app startup binds it)")
    return _bound


def script(redis: Redis, name: str) -> AsyncScript:
    """The named script for this client (EVALSHA, reloaded automatically after a Redis restart)."""
    cache: dict[str, AsyncScript] | None = getattr(redis, "_promotion_scripts", None)
    if cache is None:
        cache = {n: load_script(redis, LUA_DIR / f"{n}.lua") for n in SCRIPT_NAMES}
        redis._promotion_scripts = cache  # type: ignore[attr-defined]  # cache kept on the client
    return cache[name]


def room_tag(room_id: int) -> str:
    return f"{{room:{room_id}}}"


def joined_key(room_id: int) -> str:
    """user id -> epoch seconds of the first join, kept by the room's websocket (the `live`
    domain)."""
    return f"{room_tag(room_id)}:joined"


def coupon_key(room_id: int, coupon_id: int) -> str:
    return f"{room_tag(room_id)}:coupon:{coupon_id}"


def packet_keys(room_id: int, packet_id: int) -> list[str]:
    """meta, free parts, winners: the keys of red_packet_*.lua."""
    base = f"{room_tag(room_id)}:rp:{packet_id}"
    return [base, f"{base}:parts", f"{base}:won"]


def encode_part(idx: int, amount: int) -> str:
    return f"{idx}:{amount}"


def decode_part(raw: bytes | str) -> tuple[int, int]:
    text = raw.decode() if isinstance(raw, bytes) else raw
    idx, amount = text.split(":")
    return int(idx), int(amount)
