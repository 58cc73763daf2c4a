"""The settings' operator audit: GET /api/admin/settings/changes.

The settings themselves are distribution's (GET|PUT /api/admin/settings); each change that
changed something is an operator action `settings.update` naming only the changed fields."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter, QueryParameter

from livecommerce.infra import audit, db
from livecommerce.infra.auth import requires


class SettingsChangesController(Controller):
    path = "/api/admin/settings"
    tags = ["admin"]
    guards = [requires("admin")]

    @get("/changes")
    async def changes(
        self,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 50,
        before_id: Annotated[int | None, QueryParameter(name="beforeId", ge=1)] = None,
    ) -> list[audit.AuditEntry]:
        """Every change of the settings, newest first: who, when, and `before`/`after` of only
        the fields it changed."""
        async with db.connection() as conn:
            return await audit.entries(
                conn, action="settings.update", before_id=before_id, limit=limit
            )


CONTROLLERS = [SettingsChangesController]
