"""The console's view of a room's moderation: its moderators, and who is muted or banned now,
until when and by whom (the penalties themselves are written by moderation.py)."""

from __future__ import annotations

from livecommerce.domains.live import queries
from livecommerce.domains.live.schemas import ModerationState, ModeratorOut, PenaltyOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor

# One row per (user, kind) in force: a user muted twice shows the penalty that ends last (an
# open-ended one beats any end), and who gave that one.
_IN_FORCE = """
SELECT DISTINCT ON (p.user_id, p.kind)
  p.user_id, p.kind, p.until, p.reason, p.created_at, p.created_by_id,
  u.display_name AS name, b.display_name AS by_name
FROM room_penalties p
JOIN users u ON u.id = p.user_id
JOIN users b ON b.id = p.created_by_id
WHERE p.room_id = $1 AND p.lifted_at IS NULL AND (p.until IS NULL OR p.until > now())
ORDER BY p.user_id, p.kind, p.until DESC NULLS FIRST, p.id DESC
"""


async def state(room_id: int, actor: Actor) -> ModerationState:
    """For the room's host, its moderators and admins; anyone else: 404, as for a room that is
    not theirs to see."""
    async with db.connection() as conn:
        room = await queries.room(conn, room_id)
        if not actor.is_admin and not await queries.speaks_for_room(conn, room_id, actor.id):
            raise queries.room_not_found(room_id)
        mods = await conn.fetch(
            "SELECT m.user_id, u.display_name AS name, m.created_at FROM room_moderators m"
            " JOIN users u ON u.id = m.user_id WHERE m.room_id = $1 ORDER BY m.created_at, m.id",
            room_id,
        )
        penalties = await conn.fetch(_IN_FORCE, room_id)
    found = [
        PenaltyOut(
            user_id=p["user_id"],
            name=p["name"],
            kind=p["kind"],
            until=p["until"],
            reason=p["reason"],
            by_id=p["created_by_id"],
            by_name=p["by_name"],
            created_at=p["created_at"],
        )
        for p in penalties
    ]
    # the newest first: the one just given is the one the host looks for
    found.sort(key=lambda p: p.created_at, reverse=True)
    return ModerationState(
        room_id=room_id,
        slow_mode_seconds=room["slow_mode_seconds"],
        moderators=[
            ModeratorOut(user_id=m["user_id"], name=m["name"], since=m["created_at"]) for m in mods
        ],
        muted=[p for p in found if p.kind == "mute"],
        banned=[p for p in found if p.kind == "ban"],
    )
