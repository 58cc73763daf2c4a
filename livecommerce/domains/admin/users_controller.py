"""/api/admin/users: search people, read one in full, ban and unban them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter

from livecommerce.domains.admin import bans, users
from livecommerce.domains.admin.schemas import BanOut, BanUser, UnbanUser, UserDetail, UserPage
from livecommerce.infra.auth import Actor, provide_actor, requires
from livecommerce.settings import Settings

Limit = Annotated[int, Parameter(ge=1, le=100)]
Cursor = Annotated[int | None, Parameter(ge=1)]
Search = Annotated[str | None, Parameter(max_length=64)]


def _token_ttl(request: Request[Any, Any, Any]) -> int:
    settings: Settings = request.app.state.settings
    return settings.token_ttl_minutes * 60


class AdminUsersController(Controller):
    path = "/api/admin/users"
    tags = ["admin"]
    guards = [requires("admin")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def search(
        self,
        q: Search = None,
        role: Literal["viewer", "host", "distributor", "admin"] | None = None,
        status: Literal["active", "banned"] | None = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> UserPage:
        """Newest first. `q`: part of a username or display name, or an id; `cursor`: the
        `nextCursor` of the page before."""
        return await users.search(q, role, status, cursor, limit)

    @get("/{user_id:int}")
    async def detail(self, user_id: int) -> UserDetail:
        """Profile, roles, host and distributor standing, recent orders, role applications, and
        the history of bans and suspensions from the audit."""
        return await users.detail(user_id)

    @post("/{user_id:int}/ban", status_code=200)
    async def ban(
        self, request: Request[Any, Any, Any], actor: Actor, user_id: int, data: BanUser
    ) -> BanOut:
        """Ban from the platform (`until` absent: until lifted): every token of the user is
        refused from the next request, their room sockets are closed, login answers 403 `banned`.
        Yourself: 409 `cannot_ban_self`; another operator: 403 `cannot_ban_admin`."""
        return await bans.ban(request.app.state.redis, _token_ttl(request), actor, user_id, data)

    @post("/{user_id:int}/unban", status_code=200)
    async def unban(
        self, request: Request[Any, Any, Any], actor: Actor, user_id: int, data: UnbanUser
    ) -> BanOut:
        """Lift the ban: the user may log in again (tokens from before the ban stay dead)."""
        return await bans.unban(request.app.state.redis, _token_ttl(request), actor, user_id, data)
