"""The console's people (users and bans, partners, the audit): what the composition root
registers, its routes and the per-process ban listener."""

from __future__ import annotations

from livecommerce.domains.admin.audit_controller import AdminAuditController
from livecommerce.domains.admin.ban_listener import on_shutdown, on_startup
from livecommerce.domains.admin.partners_controller import AdminPartnersController
from livecommerce.domains.admin.users_controller import AdminUsersController

CONTROLLERS = [AdminUsersController, AdminPartnersController, AdminAuditController]

__all__ = ["CONTROLLERS", "on_shutdown", "on_startup"]
