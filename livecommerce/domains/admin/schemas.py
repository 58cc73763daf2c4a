"""The console's wire format for people: users, bans, partners and the audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.domains.accounts.schemas import RoleApplicationOut
from livecommerce.infra.audit import AuditEntry
from livecommerce.infra.schema import In, Out

# An operator's reason, shown in the audit (and to the person, where it concerns them).
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\S")]
PartnerKind = Literal["host", "distributor"]


class BanUser(In, frozen=True):
    reason: Reason
    # Absent: until an operator lifts it. Must be in the future, with a time zone.
    until: datetime | None = None


class UnbanUser(In, frozen=True):
    reason: Reason


class SuspendPartner(In, frozen=True):
    kind: PartnerKind
    reason: Reason


class UserRow(Out):
    id: int
    username: str
    display_name: str
    roles: list[str]
    status: Literal["active", "banned"]
    banned_until: datetime | None
    suspended_roles: list[str]
    created_at: datetime
    orders: int  # placed as a buyer
    rooms: int  # hosted


class UserPage(Out):
    items: list[UserRow]
    next_cursor: int | None = None


class DistributorStanding(Out):
    code: str
    parent_id: int | None
    active: bool  # holds the role
    suspended: bool


class HostStanding(Out):
    rooms: int
    live_now: int
    suspended: bool


class UserDetail(Out):
    user: UserRow
    banned_at: datetime | None
    distributor: DistributorStanding | None
    host: HostStanding | None
    orders_last_30_days: int
    applications: list[RoleApplicationOut]
    # user.ban, user.unban, host./distributor.suspend|reinstate about this user, newest first.
    history: list[AuditEntry]


class BanOut(Out):
    user: UserRow
    # Room sockets are closed by every api process as the platform event reaches it.
    audit_id: int


class PartnerRow(Out):
    user_id: int
    username: str
    display_name: str
    kind: PartnerKind
    suspended: bool
    banned: bool
    created_at: datetime
    # hosts: orders paid, their amount (GMV, fen), refunded (fen), rooms
    orders: int = 0
    gmv: int = 0
    refunded: int = 0
    rooms: int = 0
    # distributors: code, buyers bound now, commissions (net of reversals, fen)
    code: str | None = None
    bound_buyers: int = 0
    commission_pending: int = 0
    commission_settled: int = 0


class PartnerPage(Out):
    items: list[PartnerRow]
    next_cursor: int | None = None


class PartnerStandingOut(Out):
    user_id: int
    kind: PartnerKind
    suspended: bool
    audit_id: int


class AuditPage(Out):
    items: list[AuditEntry]
    # Pass as `beforeId` for the next (older) page.
    next_before_id: int | None = None
