"""What other domains add to a room's join snapshot (active coupons, red packets, …).

Each part is `async part(conn, room_id, actor) -> dict` merged into the snapshot payload;
it runs on every join, so it must be one cheap query.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asyncpg import Connection

from livecommerce.infra.auth import Actor

SnapshotPart = Callable[[Connection, int, "Actor | None"], Awaitable[dict[str, Any]]]
SNAPSHOT_PARTS: list[SnapshotPart] = []

# Client frames a domain answers over the room's websocket, by frame type (e.g. "grab"):
# `async action(room_id, actor, frame) -> dict` whose result is sent back to that socket
# only, as `{"type": "<type>_result", ...}`. A DomainError becomes an `error` frame.
RoomAction = Callable[[int, Actor, dict[str, Any]], Awaitable[dict[str, Any]]]
ROOM_ACTIONS: dict[str, RoomAction] = {}
