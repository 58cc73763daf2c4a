"""The host's staff: /api/host/staff (hosts only; staff never manage staff)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import Parameter

from livecommerce.domains.members import staff
from livecommerce.domains.members.crm_schemas import INT4_MAX, AddStaff, StaffOut
from livecommerce.infra.auth import Actor, provide_actor, publish_roles, requires
from livecommerce.settings import Settings

StaffId = Annotated[int, Parameter(ge=1, le=INT4_MAX)]


async def _publish(request: Request[Any, Any, Any], user_id: int, roles: list[str]) -> None:
    # After COMMIT (the service returned): tokens issued before now take these roles.
    settings: Settings = request.app.state.settings
    await publish_roles(request.app.state.redis, user_id, roles, settings.token_ttl_minutes * 60)


class StaffController(Controller):
    path = "/api/host/staff"
    tags = ["members"]
    guards = [requires("host")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def list_staff(self, actor: Actor) -> list[StaffOut]:
        return await staff.list_staff(actor.id)

    @post("/", status_code=201)
    async def add(self, request: Request[Any, Any, Any], actor: Actor, data: AddStaff) -> StaffOut:
        """With `password`, a new account is made for the staff member (they log in with it);
        without, the existing account `username` becomes the host's staff. Either way it gets
        the `staff` role, scoped to this host: it sees and works on the host's members."""
        added, roles = await staff.add_staff(actor.id, data)
        await _publish(request, added.user_id, roles)
        return added

    @delete("/{staff_id:int}", status_code=204)
    async def remove(
        self, request: Request[Any, Any, Any], actor: Actor, staff_id: StaffId
    ) -> Response[None]:
        """Remove a staff member (by user id): the role is revoked at once, old tokens too."""
        roles = await staff.remove_staff(actor.id, staff_id)
        await _publish(request, staff_id, roles)
        return Response(None, status_code=204)


CONTROLLERS = [StaffController]
