"""Giveaway endpoints: the host starts one in their room; anyone reads it and its published entry
list; a viewer reads their standing (entering when the tasks are done) and claims a prize."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide

from livecommerce.domains.marketing import giveaway_draws, giveaway_room, giveaway_services
from livecommerce.domains.marketing.giveaway_schemas import (
    ClaimGiveaway,
    ClaimOut,
    GiveawayOut,
    MyGiveaway,
    PublishedEntries,
    StartGiveaway,
)
from livecommerce.domains.marketing.giveaway_settings import GiveawaySettingsController
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, authenticated, provide_actor, requires


class RoomGiveawayController(Controller):
    path = "/api/rooms/{room_id:int}/giveaways"
    tags = ["marketing"]

    @post(
        "/",
        guards=[requires("host")],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def start(self, actor: Actor, room_id: int, data: StartGiveaway) -> GiveawayOut:
        """Start a giveaway in your live room: the seed's sha256 is published now, the seed at
        the draw. 409 `giveaway_running`, `room_not_live`; 422 `prize_over_cap`."""
        out = await giveaway_services.start(actor, room_id, data)
        giveaway_room.forget(room_id)
        return out

    @get("/current")
    async def current(self, room_id: int) -> GiveawayOut | None:
        """The room's running giveaway, or the one drawn within the last hour; null if none."""
        async with db.connection() as conn:
            row = await giveaway_services.current_row(conn, room_id)
            return None if row is None else await giveaway_services.giveaway_out(conn, row)


class GiveawayController(Controller):
    path = "/api/giveaways/{giveaway_id:int}"
    tags = ["marketing"]

    @get("/")
    async def show(self, giveaway_id: int) -> GiveawayOut:
        """The giveaway: prize, tasks, countdown (`endsAt`, `now`), `seedHash`; once drawn the
        `seed` and the winners (masked)."""
        return await giveaway_services.get(giveaway_id)

    @get("/entries")
    async def entries(self, giveaway_id: int) -> PublishedEntries:
        """The entry list the draw uses (tokens and masked names, no user ids), the seed once
        drawn: `python -m livecommerce.tools.verify_giveaway <this URL>` recomputes the
        winners."""
        return await giveaway_services.published_entries(giveaway_id)

    @get(
        "/me",
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def mine(self, actor: Actor, giveaway_id: int) -> MyGiveaway:
        """Your tasks (已评论 / 已观看 / 已关注), your entry (made now if every task is done) and
        your prize."""
        return await giveaway_services.my_standing(giveaway_id, actor)

    @post(
        "/claim",
        status_code=200,
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def claim(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        giveaway_id: int,
        data: ClaimGiveaway | None = None,
    ) -> ClaimOut:
        """Claim your prize before its deadline: 404 if you did not win, 409
        `prize_already_claimed` / `claim_expired`. A product prize (实物) needs where it ships,
        `addressId` or `address`, and answers its zero-price order (`orderId`); claimed again, the
        same order."""
        return await giveaway_draws.claim(request.app.state.settings, giveaway_id, actor, data)


CONTROLLERS = [RoomGiveawayController, GiveawayController, GiveawaySettingsController]
