"""Platform bans as the auth check sees them: every token of a banned user refused at once.

PostgreSQL is the truth (`users.banned_at`, `banned_until`, `ban_changed_at`); Redis holds a
mirror, one key per banned user, read in the same MGET that already asks about the token's
revocation and the user's roles, so a ban costs a request nothing more.

- A token issued at or before `banned_at` is dead for good (an unban does not bring back a
  token a thief may hold); while the ban holds, every token is refused.
- The mirror is written after the ban commits, and rewritten from PostgreSQL (`remirror`) when
  Redis may have lost it: the `KNOWN` key says the mirror is complete; missing (Redis restarted
  empty, flushed, failed over), each request asks PostgreSQL until the mirror is rebuilt.
- Each write carries the ban's `ban_changed_at`: a rebuild that read PostgreSQL before a later
  ban or unban never overwrites what that change wrote (the Lua script compares).
- Redis unreachable: PostgreSQL answers for that request. Both unreachable: the error goes up
  (503, retry), fail closed; a request that got past both would have needed PostgreSQL anyway.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from redis.exceptions import RedisError

from livecommerce.infra import auth_memory, db

log = structlog.get_logger("bans")

KNOWN = "auth:bans:known"
CHANNEL = "platform:user_banned"  # every api process closes the user's room sockets

# KEYS[1] the user's key; ARGV: value, changed_at (epoch s), ttl (s, 0: none). Writes unless
# what is there says it changed later.
_WRITE_LUA = """
local current = redis.call('GET', KEYS[1])
if current then
  local changed = tonumber(string.match(current, '^([^|]*)'))
  if changed and changed > tonumber(ARGV[2]) then return 0 end
end
if tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1
"""


def key(user_id: int | str) -> str:
    return f"auth:ban:{user_id}"


@dataclass(frozen=True, slots=True)
class Ban:
    changed_at: float
    banned_at: float
    until: float | None  # None: until lifted

    def active(self, now: float | None = None) -> bool:
        return self.until is None or self.until > (time.time() if now is None else now)

    def refuses(self, issued_at: float, now: float | None = None) -> bool:
        return issued_at <= self.banned_at or self.active(now)

    def encode(self) -> str:
        return f"{self.changed_at}|{self.banned_at}|{'' if self.until is None else self.until}"


def decode(raw: bytes | str | None) -> Ban | None:
    if not raw:
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    changed, banned, until = text.split("|")
    return Ban(float(changed), float(banned), float(until) if until else None)


def _epoch(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def from_row(row: Any) -> Ban | None:
    if row is None or row["banned_at"] is None:
        return None
    banned_at = row["banned_at"].timestamp()
    changed = _epoch(row["ban_changed_at"]) or banned_at
    return Ban(changed, banned_at, _epoch(row["banned_until"]))


async def from_db(user_id: int) -> Ban | None:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT banned_at, banned_until, ban_changed_at FROM users WHERE id = $1", user_id
        )
    return from_row(row)


def _ttl(ban: Ban, token_ttl: int, now: float) -> int:
    """Until the ban ends and every token issued before it has expired; 0: no expiry."""
    if ban.until is None:
        return 0
    return max(1, int(max(ban.until, ban.banned_at + token_ttl) - now) + 1)


async def mirror(redis: Any, user_id: int, ban: Ban, token_ttl: int) -> None:
    """Write one user's ban to Redis (after its transaction commits; the rebuild too)."""
    script = redis.register_script(_WRITE_LUA)
    ttl = _ttl(ban, token_ttl, time.time())
    await script(keys=[key(user_id)], args=[ban.encode(), ban.changed_at, ttl])
    # This process's remembered answers go now; the others' when the ban event reaches them.
    auth_memory.forget_here(redis, user_id)


async def remirror(redis: Any, token_ttl: int) -> int:
    """Rewrite every ban that still refuses some token from PostgreSQL, then mark the mirror
    complete; returns how many were written."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id, banned_at, banned_until, ban_changed_at FROM users"
            " WHERE banned_at IS NOT NULL"
            " AND greatest(banned_at + make_interval(secs => $1),"
            "              coalesce(banned_until, 'infinity')) > now()",
            float(token_ttl),
        )
    for row in rows:
        ban = from_row(row)
        if ban is not None:
            await mirror(redis, row["id"], ban, token_ttl)
    await redis.set(KNOWN, b"1")
    return len(rows)


_rebuilding: asyncio.Task[None] | None = None


def rebuild_soon(redis: Any, token_ttl: int) -> None:
    """Start one rebuild in this process unless one runs already (requests keep asking
    PostgreSQL until it is done)."""
    global _rebuilding
    if _rebuilding is not None and not _rebuilding.done():
        return

    async def run() -> None:
        try:
            count = await remirror(redis, token_ttl)
            log.info("bans_remirrored", count=count)
        except (RedisError, OSError) as exc:
            log.warning("bans_remirror_failed", error=str(exc))

    _rebuilding = asyncio.create_task(run(), name="bans-remirror")


async def check(
    redis: Any, user_id: int, issued_at: float, token_ttl: int, mirrored: tuple[Any, Any] | None
) -> bool:
    """True if a token of `user_id` issued at `issued_at` is refused. `mirrored` is what the
    MGET read (the user's key, KNOWN), or None when Redis did not answer."""
    if mirrored is not None and mirrored[1]:
        ban = decode(mirrored[0])
    else:
        if mirrored is not None:
            rebuild_soon(redis, token_ttl)
        ban = await from_db(user_id)
    return ban is not None and ban.refuses(issued_at)
