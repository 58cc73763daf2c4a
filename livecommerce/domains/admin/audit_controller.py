"""/api/admin/audit: every operator action, newest first, filtered."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter, QueryParameter

from livecommerce.domains.admin.schemas import AuditPage
from livecommerce.infra import audit, db
from livecommerce.infra.auth import requires


class AdminAuditController(Controller):
    path = "/api/admin/audit"
    tags = ["admin"]
    guards = [requires("admin")]

    @get("/")
    async def entries(
        self,
        action: Annotated[str | None, Parameter(max_length=48)] = None,
        actor_id: Annotated[int | None, QueryParameter(name="actorId", ge=1)] = None,
        target_kind: Annotated[str | None, QueryParameter(name="targetKind", max_length=32)] = None,
        target_id: Annotated[int | None, QueryParameter(name="targetId", ge=1)] = None,
        before_id: Annotated[int | None, QueryParameter(name="beforeId", ge=1)] = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
    ) -> AuditPage:
        """`action` is an action (`user.ban`) or its kind with the dot (`user.`: every user
        action); `beforeId` pages back (the `nextBeforeId` of the page before)."""
        async with db.connection() as conn:
            rows = await audit.entries(
                conn,
                action=action or None,
                actor_id=actor_id,
                target_kind=target_kind or None,
                target_id=target_id,
                before_id=before_id,
                limit=limit + 1,
            )
        items = rows[:limit]
        return AuditPage(items=items, next_before_id=items[-1].id if len(rows) > limit else None)
