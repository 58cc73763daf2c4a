"""/api/sessions/{id}/reminders: 开播提醒 for viewers (reminders.py)."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import Provide

from livecommerce.domains.live import reminders
from livecommerce.domains.live.schemas import ReminderOut
from livecommerce.infra.auth import Actor, authenticated, provide_actor


class ReminderController(Controller):
    path = "/api/sessions/{session_id:int}/reminders"
    tags = ["live"]

    @get("/")
    async def status(self, maybe_actor: Actor | None, session_id: int) -> ReminderOut:
        """How many viewers asked to be reminded, and whether you did (guests: false)."""
        return await reminders.status(session_id, maybe_actor)

    @post(
        "/",
        status_code=200,
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def remind(self, actor: Actor, session_id: int) -> ReminderOut:
        """Remind me when this scheduled session goes live (idempotent: twice is once). 409
        `session_not_scheduled` once it is live or over; 401 for guests."""
        return await reminders.remind(session_id, actor)

    @delete(
        "/",
        status_code=200,
        guards=[authenticated],
        dependencies={"actor": Provide(provide_actor)},
    )
    async def forget(self, actor: Actor, session_id: int) -> ReminderOut:
        """Don't remind me after all (idempotent)."""
        return await reminders.forget(session_id, actor)


CONTROLLERS = [ReminderController]
