"""Login throttling (DESIGN §10): attempts counted in fixed Redis windows before the password is
hashed, so guessing is slow and costs the server nothing past the limit.

Three windows, so that an attacker slows only himself:
- one account from one address: the real user's typos, or one client guessing one password;
- one address over every account: one client spraying a password list;
- one account from every address: a botnet on one account. It would also lock the real user
  out, so it never applies to an address that has logged in to that account before, and its
  window is short.

An attempt is counted when it starts (one Lua call checks and counts, so concurrent guesses
can't overshoot) and given back when it succeeds. Every key shares the `{login}` hash tag: the
script touches one Redis Cluster slot. A Redis outage lets logins through (logged), as token
checks do: availability over throttling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from redis.exceptions import RedisError

from livecommerce.infra.errors import DomainError, ErrorCode

log = structlog.get_logger("accounts.throttle")
_LUA = Path(__file__).resolve().parent / "lua"
# register_script only hashes the text; redis-py loads it on the first NOSCRIPT.
_ATTEMPT = (_LUA / "login_attempt.lua").read_text()
_SUCCEEDED = (_LUA / "login_succeeded.lua").read_text()


@dataclass(frozen=True)
class Window:
    name: str
    attempts: int
    seconds: int


PAIR = Window("pair", attempts=5, seconds=15 * 60)
ADDRESS = Window("address", attempts=30, seconds=15 * 60)
ACCOUNT = Window("account", attempts=50, seconds=5 * 60)
WINDOWS = (PAIR, ADDRESS, ACCOUNT)
KNOWN_ADDRESS_DAYS = 30


def _keys(username: str, address: str) -> tuple[str, str, str, str]:
    account = username.strip().lower()
    return (
        f"{{login}}:pair:{account}:{address}",
        f"{{login}}:address:{address}",
        f"{{login}}:account:{account}",
        f"{{login}}:known:{account}",
    )


async def attempt(redis: Any, username: str, address: str) -> None:
    """Count one attempt, or raise `login_throttled` (429, with how long to wait)."""
    script = redis.register_script(_ATTEMPT)
    limits = [str(value) for window in WINDOWS for value in (window.attempts, window.seconds)]
    try:
        wait = int(await script(keys=list(_keys(username, address)), args=[address, *limits]))
    except RedisError:
        log.warning("login_throttle_unavailable")
        return
    if wait:
        raise DomainError(
            ErrorCode.LOGIN_THROTTLED,
            detail=f"too many failed logins; try again in {wait} s",
            retryAfter=wait,
        )


async def succeeded(redis: Any, username: str, address: str) -> None:
    """Give the attempt back; the address is the user's own from now on."""
    script = redis.register_script(_SUCCEEDED)
    try:
        await script(
            keys=list(_keys(username, address)), args=[address, KNOWN_ADDRESS_DAYS * 86_400]
        )
    except RedisError:
        log.warning("login_throttle_unavailable")
