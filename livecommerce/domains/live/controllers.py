from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter
from litestar.types import Guard

from livecommerce.domains.accounts import profile
from livecommerce.domains.live import (
    history,
    moderation,
    moderation_list,
    report,
    rooms,
    sessions,
)
from livecommerce.domains.live.follow_controller import CONTROLLERS as FOLLOW_CONTROLLERS
from livecommerce.domains.live.hooks import RoomHooks
from livecommerce.domains.live.reminders_controller import CONTROLLERS as REMINDER_CONTROLLERS
from livecommerce.domains.live.schemas import (
    ChatLine,
    CreateRoom,
    Moderate,
    ModerationOut,
    ModerationState,
    Pin,
    RoomDetail,
    RoomOut,
    RoomPage,
    ScheduleSession,
    Series,
    SessionAnalysis,
    SessionOrder,
    SessionReport,
    SetShowcase,
    ShowcaseProduct,
    StartSession,
    StatsOut,
    UpdateRoom,
    UpdateSession,
)
from livecommerce.domains.live.snapshot import room_snapshot
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, authenticated, provide_actor, requires
from livecommerce.realtime import counters as room_counters
from livecommerce.realtime.endpoint import room_socket

# Host-only endpoints share one guard list and one actor dependency (as explicit keyword
# arguments, so the route decorators type-check).
_HOST_GUARDS: list[Guard] = [requires("host")]
_ACTOR_DEPENDENCY: dict[str, Provide] = {"actor": Provide(provide_actor)}


def _redis(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.redis


async def _online(request: Request[Any, Any, Any], room_ids: list[int]) -> dict[int, int]:
    """Online viewers of live rooms for listings: one pipeline of presence hashes."""
    if not room_ids:
        return {}
    pipe = request.app.state.redis.pipeline(transaction=False)
    for room_id in room_ids:
        pipe.hvals(room_counters.keys(room_id)[2])
    try:
        replies = await pipe.execute()
    except Exception:
        return {}
    return {
        room_id: sum(int(v) for v in vals) for room_id, vals in zip(room_ids, replies, strict=True)
    }


class RoomController(Controller):
    path = "/api/rooms"
    tags = ["live"]

    @post("/", status_code=201, guards=_HOST_GUARDS, dependencies=_ACTOR_DEPENDENCY)
    async def create(self, actor: Actor, data: CreateRoom) -> RoomOut:
        return await rooms.create_room(actor, data)

    @get("/")
    async def list_rooms(
        self,
        request: Request[Any, Any, Any],
        status: Literal["live", "upcoming"] | None = None,
        host_id: Annotated[int | None, QueryParameter(name="hostId")] = None,
        cursor: int | None = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> RoomPage:
        """Live rooms first, then upcoming ones (with their start time), then the rest."""
        rows = await rooms.list_rooms(status=status, host_id=host_id, cursor=cursor, limit=limit)
        found = rooms.page(rows, limit)
        online = await _online(
            request, [r.id for r in found.items if r.session and r.session.status == "live"]
        )
        for room in found.items:
            room.online = online.get(room.id, 0)
        return found

    @get("/{room_id:int}")
    async def get_room(self, request: Request[Any, Any, Any], room_id: int) -> RoomDetail:
        return await rooms.get_room(room_id, (await _online(request, [room_id])).get(room_id, 0))

    @patch("/{room_id:int}", guards=_HOST_GUARDS, dependencies=_ACTOR_DEPENDENCY)
    async def update(self, actor: Actor, room_id: int, data: UpdateRoom) -> RoomOut:
        return await rooms.update_room(room_id, actor, data)

    @post(
        "/{room_id:int}/sessions",
        status_code=201,
        guards=_HOST_GUARDS,
        dependencies=_ACTOR_DEPENDENCY,
    )
    async def schedule(self, actor: Actor, room_id: int, data: ScheduleSession) -> SessionReport:
        """Announce an upcoming broadcast with its title, start time and cover (the room and the
        landing page count down to it); `/start` later takes the earliest scheduled one."""
        return await sessions.schedule(room_id, actor, data)

    @get("/{room_id:int}/sessions")
    async def list_sessions(
        self, room_id: int, limit: Annotated[int, Parameter(ge=1, le=100)] = 20
    ) -> list[SessionReport]:
        """The room's broadcasts, newest first, with their reports (and how many viewers asked
        to be reminded of each)."""
        async with db.connection() as conn:
            rows = await conn.fetch(
                "SELECT s.*, (SELECT count(*) FROM session_reminders r WHERE r.session_id = s.id)"
                " AS reminders FROM live_sessions s WHERE s.room_id = $1"
                " ORDER BY coalesce(s.started_at, s.scheduled_at, s.created_at) DESC LIMIT $2",
                room_id,
                limit,
            )
        return [sessions.report(r) for r in rows]

    @post(
        "/{room_id:int}/start", status_code=200, guards=_HOST_GUARDS, dependencies=_ACTOR_DEPENDENCY
    )
    async def start(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        room_id: int,
        room_hooks: RoomHooks,
        data: StartSession | None = None,
    ) -> SessionReport:
        """Go live: the next scheduled session, or a new one."""
        return await sessions.start(
            _redis(request), room_id, actor, data or StartSession(), room_hooks
        )

    @post(
        "/{room_id:int}/end", status_code=200, guards=_HOST_GUARDS, dependencies=_ACTOR_DEPENDENCY
    )
    async def end(
        self, request: Request[Any, Any, Any], actor: Actor, room_id: int
    ) -> SessionReport:
        """End the broadcast; the reply is the session report."""
        return await sessions.end(_redis(request), room_id, actor)

    @put("/{room_id:int}/products", guards=_HOST_GUARDS, dependencies=_ACTOR_DEPENDENCY)
    async def set_showcase(
        self, actor: Actor, room_id: int, data: SetShowcase
    ) -> list[ShowcaseProduct]:
        return await rooms.set_showcase(room_id, actor, data.product_ids)

    @post(
        "/{room_id:int}/pin", status_code=200, guards=_HOST_GUARDS, dependencies=_ACTOR_DEPENDENCY
    )
    async def pin(self, actor: Actor, room_id: int, data: Pin) -> ShowcaseProduct | None:
        return await rooms.pin(room_id, actor, data.product_id)

    @post(
        "/{room_id:int}/moderation",
        status_code=200,
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def moderate(self, actor: Actor, room_id: int, data: Moderate) -> ModerationOut:
        """mute / ban (for `minutes`, or until lifted), unmute / unban, delete_message, and for the
        host: slow_mode (`seconds`), add_moderator, remove_moderator."""
        return await moderation.moderate(room_id, actor, data)

    @get(
        "/{room_id:int}/moderation",
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def moderation_state(self, actor: Actor, room_id: int) -> ModerationState:
        """The room's moderators, and who is muted or banned now: until when (null: until
        lifted), why and by whom (host, moderators, admins; anyone else 404)."""
        return await moderation_list.state(room_id, actor)

    @get(
        "/{room_id:int}/stats",
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def stats(self, request: Request[Any, Any, Any], actor: Actor, room_id: int) -> StatsOut:
        """The current (or last) session's counters: online, peak, unique viewers, views, likes,
        comments, orders, GMV, product opens and conversion (host, moderators, admins)."""
        return await sessions.stats(_redis(request), room_id, actor)

    @get(
        "/{room_id:int}/chat",
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def chat(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        room_id: int,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 50,
    ) -> list[ChatLine]:
        """The room's last chat lines of this session, oldest first, for the console after a
        reload (host, moderators, admins)."""
        return await history.recent_chat(_redis(request), room_id, actor, limit)


class SessionController(Controller):
    """One broadcast: change or call off a scheduled one; a session's report and history."""

    path = "/api/sessions/{session_id:int}"
    tags = ["live"]
    guards = _HOST_GUARDS
    dependencies = _ACTOR_DEPENDENCY

    @patch("/")
    async def update(self, actor: Actor, session_id: int, data: UpdateSession) -> SessionReport:
        """Change a scheduled session's title, start time, cover or stream (409
        `session_not_scheduled` once it went live)."""
        return await sessions.update(session_id, actor, data)

    @delete("/", status_code=204)
    async def cancel(self, actor: Actor, session_id: int) -> None:
        """Call off a scheduled session (409 `session_not_scheduled` once it went live)."""
        await sessions.cancel(session_id, actor)

    @get("/report")
    async def report(
        self, request: Request[Any, Any, Any], actor: Actor, session_id: int
    ) -> SessionAnalysis:
        """The session report: figures, conversion funnel (viewers, product visitors, buyers,
        payers), online and sales over time, top products by amount paid, orders and GMV per
        distributor. A live session's figures are as of now."""
        return await report.analysis(_redis(request), session_id, actor)

    @get("/series")
    async def series(
        self, request: Request[Any, Any, Any], actor: Actor, session_id: int
    ) -> Series:
        """The session's counters every 10 s (online, unique viewers, likes, comments, orders,
        GMV): the console's chart after a reload."""
        return await report.series(_redis(request), session_id, actor)

    @get("/orders")
    async def orders(
        self, actor: Actor, session_id: int, limit: Annotated[int, Parameter(ge=1, le=100)] = 20
    ) -> list[SessionOrder]:
        """The session's paid orders, the latest payment first (the console's order feed)."""
        return await report.orders(session_id, actor, limit)


def room_ws(hooks: RoomHooks, allowed_origins: tuple[str, ...]) -> Any:
    return room_socket(
        snapshot=functools.partial(room_snapshot, hooks),
        authorize_chat=functools.partial(moderation.authorize_and_tell, hooks.chatted),
        allowed_origins=allowed_origins,
        actions=hooks.actions,
        name_of=profile.chat_name,
        presence=hooks.presence,
    )


CONTROLLERS = [RoomController, SessionController, *REMINDER_CONTROLLERS, *FOLLOW_CONTROLLERS]
