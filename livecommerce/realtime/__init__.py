"""Live-room realtime: the per-process hub, its wire format, and the websocket route."""

from __future__ import annotations

from livecommerce.realtime.config import HubConfig
from livecommerce.realtime.endpoint import ROOM_PATH, origin_allowed, room_socket
from livecommerce.realtime.errors import ChatRejected, ErrorCode
from livecommerce.realtime.hub import RoomHub, publish_events
from livecommerce.realtime.wire import PRIORITY_TYPES, make_event

__all__ = [
    "PRIORITY_TYPES",
    "ROOM_PATH",
    "ChatRejected",
    "ErrorCode",
    "HubConfig",
    "RoomHub",
    "make_event",
    "origin_allowed",
    "publish_events",
    "room_socket",
]
