"""POST|DELETE /api/rooms/{id}/follow: 关注 a room (follows.py)."""

from __future__ import annotations

from litestar import Controller, delete, post
from litestar.di import Provide

from livecommerce.domains.live import follows
from livecommerce.domains.live.follows import FollowOut
from livecommerce.domains.live.hooks import RoomHooks
from livecommerce.infra.auth import Actor, authenticated, provide_actor


class FollowController(Controller):
    path = "/api/rooms/{room_id:int}/follow"
    tags = ["live"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/", status_code=200)
    async def follow(self, actor: Actor, room_id: int, room_hooks: RoomHooks) -> FollowOut:
        """Follow the room (idempotent: twice is once); answers the new count."""
        return await follows.follow(room_hooks, room_id, actor)

    @delete("/", status_code=200)
    async def unfollow(self, actor: Actor, room_id: int) -> FollowOut:
        """Stop following the room (idempotent)."""
        return await follows.unfollow(room_id, actor)


CONTROLLERS = [FollowController]
