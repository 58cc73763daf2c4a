"""Pure rules of tips: the platform's settings, how a tip splits between host and platform, and
which cap a tip would pass."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

BP = 10_000
CapFen = Annotated[int, msgspec.Meta(ge=1, le=100_000_000)]  # at most ¥1M
CapScope = Literal["tip", "session", "day"]


class TipSettings(
    msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True, kw_only=True
):
    """The operator's tip settings. Every field has a default: never set means these."""

    # Caps per sender, in fen: one send (a gift times its quantity), one session, one business day.
    max_per_tip: CapFen = 100_000
    max_per_session: CapFen = 500_000
    max_per_day: CapFen = 1_000_000
    # The platform's share of every tip; the host gets the rest.
    platform_fee_bp: Annotated[int, msgspec.Meta(ge=0, le=BP)] = 3_000
    # How long a tip's host share waits in the host's escrow before it can be paid out
    # (gifts_settlement.py says why there is a hold at all).
    hold_hours: Annotated[int, msgspec.Meta(ge=0, le=720)] = 24
    # Top tippers shown in the room: off unless the operator turns them on (a ranking of who
    # spends most invites spending to climb it).
    leaderboards_enabled: bool = False


def _change_of() -> type[msgspec.Struct]:
    """The body of PUT /api/admin/gift-settings: the same fields, each absent unless given."""
    fields = [
        (field.name, field.type | msgspec.UnsetType, msgspec.UNSET)
        for field in msgspec.structs.fields(TipSettings)
    ]
    return msgspec.defstruct(
        "TipSettingsChange",
        fields,
        rename="camel",
        forbid_unknown_fields=True,
        frozen=True,
        kw_only=True,
        module=__name__,
    )


if TYPE_CHECKING:
    TipSettingsChange = TipSettings
else:
    TipSettingsChange = _change_of()


def split_tip(amount: int, fee_bp: int) -> tuple[int, int]:
    """(host share, platform fee) of `amount` fen: the fee rounds down, so the host never gets
    less than its rate says, and the two always sum to the amount."""
    if amount < 0 or not 0 <= fee_bp <= BP:
        raise ValueError(f"no split of {amount} fen at {fee_bp} bp")
    fee = amount * fee_bp // BP
    return amount - fee, fee


def cap_passed(settings: TipSettings, amount: int) -> CapScope | None:
    """The cap a single tip of `amount` fen passes on its own (before anything sent before it)."""
    if amount > settings.max_per_tip:
        return "tip"
    if amount > settings.max_per_session:
        return "session"
    if amount > settings.max_per_day:
        return "day"
    return None


def day_scope(day: date) -> str:
    return f"d:{day.isoformat()}"


def session_scope(session_id: int) -> str:
    return f"s:{session_id}"
