"""Error codes sent to a socket in `error` frames, and the refusal a chat hook raises."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    LOGIN_REQUIRED = "login_required"
    RATE_LIMITED = "rate_limited"
    BAD_FRAME = "bad_frame"
    # For the rooms domain's chat hook (mute, ban, slow mode, room not live).
    MUTED = "muted"
    BANNED = "banned"
    SLOW_MODE = "slow_mode"
    ROOM_NOT_LIVE = "room_not_live"


class ChatRejected(Exception):
    """Raised by an `authorize_chat` hook: the message is refused with this code, the socket
    stays."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = str(code)
        self.detail = detail


class JoinRefused(Exception):
    """Raised by a snapshot hook: the socket is closed with this code (e.g. 4003 for a banned
    viewer)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
