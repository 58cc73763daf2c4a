from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.infra.schema import In, Out

Username = Annotated[str, msgspec.Meta(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=128)]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class Register(In, frozen=True):
    username: Username
    password: Password
    display_name: DisplayName | None = None


class Login(In, frozen=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class ApplyForRole(In, frozen=True):
    role: Literal["host", "distributor"]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class UserOut(Out):
    id: int
    username: str
    display_name: str
    roles: list[str]
    created_at: datetime


class AuthOut(Out):
    user: UserOut
    token: str


class RoleApplicationOut(Out):
    id: int
    user_id: int
    role: str
    status: str
    note: str
    created_at: datetime
    decided_at: datetime | None = None
    # Present when the application was granted at once: a fresh token carrying the role.
    token: str | None = None
