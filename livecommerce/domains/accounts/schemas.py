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


# What an operator tells the applicant; at least one character that is not a space.
DecisionReason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\S")]


class RejectApplication(In, frozen=True):
    reason: DecisionReason


class RoleApplicationOut(Out):
    id: int
    user_id: int
    role: str
    status: str
    note: str
    created_at: datetime
    decided_at: datetime | None = None
    # The operator's words (a rejection always has them); the applicant sees them.
    decision_reason: str = ""
    # The applicant, in the operator's lists.
    username: str | None = None
    display_name: str | None = None
    # Present when the application was granted at once: a fresh token carrying the role.
    token: str | None = None


# --- the address book ----------------------------------------------------------------------

# A mainland mobile number (11 digits, 1[3-9]…) or an international one in E.164 (+ and 7 to 15
# digits). ASCII digits only ([0-9], not \d, which takes any script's digits). Pages strip
# spaces and dashes before sending.
Phone = Annotated[
    str,
    msgspec.Meta(
        min_length=8,
        max_length=16,
        pattern=r"^(?:1[3-9][0-9]{9}|\+[1-9][0-9]{6,14})$",
        examples=["13800138000", "+85291234567"],
    ),
]
RecipientName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
# Province, city and district as written (广东省 / 深圳市 / 南山区); a district may be empty (a
# region without one, or abroad).
RegionPart = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
District = Annotated[str, msgspec.Meta(max_length=32)]
StreetDetail = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class AddressIn(In, frozen=True):
    """A new entry. The first entry of a book is its default whatever `isDefault` says."""

    name: RecipientName
    phone: Phone
    province: RegionPart
    city: RegionPart
    detail: StreetDetail
    district: District = ""
    is_default: bool = False


class AddressPatch(In, frozen=True):
    """Change an entry: omitted fields stay. `isDefault: true` makes it the default (the old
    default stops being one); the default can't be unset, only replaced by another."""

    name: RecipientName | None = None
    phone: Phone | None = None
    province: RegionPart | None = None
    city: RegionPart | None = None
    district: District | None = None
    detail: StreetDetail | None = None
    is_default: bool | None = None


class AddressOut(Out):
    id: int
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str
    is_default: bool
    created_at: datetime
    updated_at: datetime


class AddressBook(Out):
    # The default first, then the most recently changed.
    items: list[AddressOut]
    # How many entries a book may hold.
    limit: int
