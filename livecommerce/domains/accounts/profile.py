"""The name a user shows others (chat, the red-packet list): what it may be, changing it, and
reading it fast enough for every chat line.

Chat used to show the login username, which hands out half of a login to everyone in a room.
The display name is what others see instead; it must not pass for someone else (another user's
username, a host's name, a role such as 主播) nor hide text direction tricks (bidi controls,
zero-width characters).
"""

from __future__ import annotations

import time
import unicodedata

from asyncpg.exceptions import PostgresError

from livecommerce.domains.accounts.schemas import UserOut
from livecommerce.domains.accounts.services import get_user
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.plain_words import Words

MAX_LENGTH = 20  # characters after trimming: what a chat line and a ticker have room for
FIELD = "displayName"
# What only the room itself may call itself: chat already marks the host and moderators.
RESERVED = frozenset(
    {"主播", "管理员", "房管", "系统", "官方", "客服", "host", "admin", "moderator", "system"}
)


def _refused(kind: str, detail: str, value: str = "") -> DomainError:
    return DomainError(
        ErrorCode.INVALID_DISPLAY_NAME,
        detail=detail,
        field=FIELD,
        reason=kind,
        words=Words(kind, FIELD, {"value": value, "n": MAX_LENGTH}),
    )


def key(name: str) -> str:
    """What two names are compared by: full-width and ligature forms folded, case ignored."""
    return unicodedata.normalize("NFKC", name).casefold()


def clean(raw: str) -> str:
    """The name as stored: NFC, trimmed, inner spaces (any kind) one ASCII space; refused when
    blank, longer than MAX_LENGTH, holding a control, format (bidi, zero-width), separator or
    unassigned character, or a reserved word."""
    spaced = "".join(" " if unicodedata.category(c) == "Zs" else c for c in raw.strip())
    name = " ".join(part for part in unicodedata.normalize("NFC", spaced).split(" ") if part)
    if not name:
        raise _refused("blank", "the display name must not be blank")
    if any(
        unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in name
    ):
        raise _refused(
            "control_characters",
            "the display name must not contain control or direction characters",
        )
    if len(name) > MAX_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_DISPLAY_NAME,
            detail=f"the display name must be at most {MAX_LENGTH} characters",
            field=FIELD,
            reason="too_long",
            words=Words("max_length", FIELD, {"n": MAX_LENGTH}),
        )
    if key(name) in RESERVED:
        raise _refused("reserved", f"the display name {name!r} is reserved", name)
    return name


async def change_display_name(user_id: int, raw: str) -> UserOut:
    """Set the user's display name (see `clean`); one that another user logs in with, or that a
    host shows, is refused as impersonation (422 `invalid_display_name`, reason `reserved`)."""
    name = clean(raw)
    async with db.transaction() as tx:
        taken = await tx.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id <> $1 AND (lower(username) = $2"
            " OR ('host' = ANY(roles) AND lower(normalize(display_name, NFKC)) = $2)))",
            user_id,
            key(name),
        )
        if taken:
            raise _refused("reserved", f"the display name {name!r} belongs to someone else", name)
        updated = await tx.conn.execute(
            "UPDATE users SET display_name = $2 WHERE id = $1", user_id, name
        )
        if updated == "UPDATE 0":
            raise DomainError(ErrorCode.NOT_FOUND, detail="no such user")
    forget(user_id)
    return await get_user(user_id)


# --- the name on each chat line ----------------------------------------------------------------

# user id -> (display name, read at). A change is seen at once on the process that made it, and
# by the others within NAME_SECONDS: chat reads this per line, PostgreSQL once per user and period.
NAME_SECONDS = 10.0
_NAMES_MAX = 50_000
_names: dict[int, tuple[str, float]] = {}


def forget(user_id: int) -> None:
    _names.pop(user_id, None)


def forget_all() -> None:
    """Tests reuse user ids after truncating; production never does."""
    _names.clear()


async def chat_name(actor: Actor) -> str:
    """The name chat shows for `actor`."""
    now = time.monotonic()
    cached = _names.get(actor.id)
    if cached is not None and now - cached[1] < NAME_SECONDS:
        return cached[0]
    try:
        async with db.connection() as conn:
            found = await conn.fetchval("SELECT display_name FROM users WHERE id = $1", actor.id)
    except (PostgresError, OSError):
        # PostgreSQL away: an older name, or the login name as chat showed it before
        return cached[0] if cached is not None else actor.username
    name = str(found) if found else actor.username
    if len(_names) >= _NAMES_MAX:
        _names.clear()
    _names[actor.id] = (name, now)
    return name
