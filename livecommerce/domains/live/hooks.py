"""The room's port: what other domains add to a live room.

- `snapshot_parts`: each `async part(conn, room_id, actor) -> dict` is merged into the join
  snapshot (active coupons, red packets, ...); it runs on every join, so one cheap query.
- `actions`: client frames a domain answers over the room's websocket, by frame type (e.g.
  "grab"): `async action(room_id, actor, frame) -> dict`, sent back to that socket only as
  `{"type": "<type>_result", ...}`; a DomainError becomes an `error` frame.
- `presence`: told when a viewer's socket is in the room (after its snapshot) and when it
  leaves: `async presence(room_id, viewer_id, watched)`, `watched` None on entry and the seconds
  the socket stayed on leaving; `viewer_id` is the room's `u:<user>` / `g:<guest>` / `a:<address>`.
  It runs on every join: no I/O that can't be cached; a failure is logged, never the viewer's.
- `started`: `async started(tx, session)` in the transaction that puts a session on air (the
  live_sessions row, status 'live'); anything outside PostgreSQL goes in `tx.after_commit`
  (outreach tells those who asked to be reminded).
- `chatted`: `async chatted(room_id, actor, text)` after a chat line was accepted (not muted,
  not banned, not slowed), before it goes out; it runs on every line: cached reads only, and a
  failure is logged, never the speaker's (a giveaway's comment task).
- `followed`: `async followed(tx, room_id, user_id)` in the transaction that records a new
  follow (a giveaway's follow task).

Filled in `livecommerce/wiring.py`. Live imports none of the domains that plug in here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asyncpg import Connection, Record

from livecommerce.infra.auth import Actor
from livecommerce.infra.db import Tx

SnapshotPart = Callable[[Connection, int, Actor | None], Awaitable[dict[str, Any]]]
RoomAction = Callable[[int, Actor, dict[str, Any]], Awaitable[dict[str, Any]]]
Presence = Callable[[int, str, "float | None"], Awaitable[None]]
SessionStarted = Callable[[Tx, Record], Awaitable[None]]
Chatted = Callable[[int, Actor, str], Awaitable[None]]
Followed = Callable[[Tx, int, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RoomHooks:
    snapshot_parts: tuple[SnapshotPart, ...] = ()
    actions: Mapping[str, RoomAction] = field(default_factory=dict)
    presence: tuple[Presence, ...] = ()
    started: tuple[SessionStarted, ...] = ()
    chatted: tuple[Chatted, ...] = ()
    followed: tuple[Followed, ...] = ()
