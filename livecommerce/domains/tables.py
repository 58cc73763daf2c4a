"""Every domain's tables, in dependency order, for the Piccolo app and the test truncation."""

from __future__ import annotations

from livecommerce.domains.accounts.tables import RoleApplication, User

ALL_TABLES = (User, RoleApplication)
