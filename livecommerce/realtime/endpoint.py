"""The websocket route `/ws/rooms/{room_id:int}`: handshake checks in Litestar, then the hub.

Litestar does the handshake, routing, auth middleware and the Origin check; after the
snapshot, frames to the viewer bypass Litestar's per-message send. Measured on the
2-core bench machine (bench/fanout.py, 2,000 sockets, server on one core): a loop of
`await socket.send_data()` per viewer spent most of its time in per-call coroutine,
wrapper and websockets framing overhead; the hub frames each tick once and writes the
same bytes to every transport (sockets.py). That needs uvicorn's `--ws websockets-sansio`
without per-message deflate; on any other server the hub falls back to a bounded queue
per socket through the ASGI send (correct, slower).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import msgspec
import structlog
from litestar import WebSocket, websocket
from litestar.handlers import WebsocketRouteHandler
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from livecommerce.infra.auth import Actor
from livecommerce.realtime import guests
from livecommerce.realtime.errors import ChatRejected, ErrorCode, JoinRefused
from livecommerce.realtime.hub import Room, RoomHub
from livecommerce.realtime.sockets import Socket
from livecommerce.realtime.wire import (
    PONG,
    Chat,
    Grab,
    Like,
    Ping,
    Snapshot,
    ViewProduct,
    client_decoder,
    encoder,
    error_frame,
)

log = structlog.get_logger("realtime.endpoint")

ROOM_PATH = "/ws/rooms/{room_id:int}"

SnapshotHook = Callable[[int, "Actor | None"], Awaitable[dict[str, Any]]]
# Return True when the author speaks for the room (host, moderator): the line is never sampled.
ChatHook = Callable[[int, Actor, str], Awaitable["bool | None"]]
# Answers a client frame of its type (e.g. "grab") with a dict sent back to that socket
# as `{"type": "<type>_result", ...}`; an exception with a `code` becomes an error frame.
ActionHook = Callable[[int, Actor, dict[str, Any]], Awaitable[dict[str, Any]]]
# The name a chat line shows for its author (a display name, never the login); without one, the
# actor's username.
NameHook = Callable[[Actor], Awaitable[str]]
# Told (room_id, viewer_id, watched) when a viewer is in (watched None) and when it leaves
# (the seconds its socket stayed): behaviour events. Awaited on the join path, so cheap.
PresenceHook = Callable[[int, str, "float | None"], Awaitable[None]]


def origin_allowed(origin: str | None, host: str | None, allowed: Iterable[str]) -> bool:
    """Refuse cross-site websocket hijacking: a browser always sends Origin, so check it.

    No Origin at all is a non-browser client (bots, the bench): nothing to hijack there.
    An empty allowlist means the page must come from the host it connects to.
    """
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    allow = {a.strip().lower().rstrip("/") for a in allowed}
    if allow:
        return origin in allow
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc == (host or "").lower()


async def _ordinary(room_id: int, actor: Actor, text: str) -> bool | None:
    return None


async def _login_name(actor: Actor) -> str:
    return actor.username


def room_socket(
    *,
    snapshot: SnapshotHook,
    authorize_chat: ChatHook | None = None,
    allowed_origins: Iterable[str] = (),
    actions: Mapping[str, ActionHook] | None = None,
    name_of: NameHook | None = None,
    hub: RoomHub | None = None,
    path: str = ROOM_PATH,
    guest_secret: str | bytes | None = None,
    presence: Iterable[PresenceHook] = (),
) -> WebsocketRouteHandler:
    """The route handler to register. `hub` defaults to `app.state.hub` at connection time; guest
    ids are signed with `guest_secret`, else the app's `state.settings.secret_key`."""
    allowed = tuple(allowed_origins)
    authorize = authorize_chat or _ordinary
    names = name_of or _login_name
    answers = actions if actions is not None else {}
    told = tuple(presence)
    signers: dict[int, guests.GuestIds] = {}  # per app (one, but tests may mount it twice)

    def signer(app: Any) -> guests.GuestIds:
        found = signers.get(id(app))
        if found is None:
            secret = guest_secret or getattr(getattr(app.state, "settings", None), "secret_key", "")
            found = signers[id(app)] = guests.GuestIds(secret)
        return found

    async def room_ws(socket: WebSocket, room_id: int) -> None:
        # This frame stays suspended for the socket's life: what it holds, every viewer pays
        # for (helpers keep the headers and the snapshot payload out of it).
        user = socket.scope.get("user")
        actor = user if isinstance(user, Actor) else None
        room_hub: RoomHub = hub or socket.app.state.hub
        entry = _handshake(socket.scope, actor, allowed, signer(socket.app), room_hub)
        if entry is None:
            await socket.close(code=1008, reason="origin not allowed")  # before accept: HTTP 403
            return
        viewer_id, issued = entry
        del entry
        secure = socket.scope.get("scheme") == "wss"
        await socket.accept(headers=[guests.set_cookie(issued, secure)] if issued else None)
        conn = room_hub.new_socket(room_id, actor, viewer_id, socket.receive, socket.send)
        # A guest issued an id now is followed by that id, as its next visit will be.
        seen_as = guests.viewer_id(issued) if issued and not guests.capped(viewer_id) else viewer_id
        entered_at: float | None = None
        try:
            try:
                room = await room_hub.join(conn)
            except JoinRefused as exc:  # too many sockets of this viewer: closed, then drained
                conn.close(exc.code, exc.reason)
            else:
                await _welcome(conn, room, snapshot, issued)
                if told and not conn.closed:
                    entered_at = time.monotonic()
                    await _tell(told, room_id, seen_as, None)
            del issued
            await _serve(socket, conn, room_hub, authorize, answers, names)
        finally:
            room_hub.leave(conn)
            await conn.aclose()
            if entered_at is not None:
                await _tell(told, room_id, seen_as, time.monotonic() - entered_at)

    return websocket(path, name="room_socket", opt={"exclude_from_auth": False})(room_ws)


async def _tell(
    hooks: tuple[PresenceHook, ...], room_id: int, viewer: str, watched: float | None
) -> None:
    for hook in hooks:
        try:
            await hook(room_id, viewer, watched)
        except Exception:  # what a listener does wrong is never the viewer's problem
            log.exception("presence_hook_failed", room_id=room_id)


def _handshake(
    scope: Any,
    actor: Actor | None,
    allowed: tuple[str, ...],
    signer: guests.GuestIds,
    hub: RoomHub,
) -> tuple[str, str | None] | None:
    """(viewer id, a guest id issued now or None), or None if the Origin is refused; then the
    scope's headers are released.

    Nothing reads them after the handshake (auth ran before us), and uvicorn's list of byte
    pairs (~0.9 KiB for the bench's headers, more for a browser's) and Litestar's parsed copy
    would otherwise live as long as the socket.
    """
    headers = {k: v for k, v in scope["headers"] if k in (b"origin", b"host", b"cookie")}
    origin, host = headers.get(b"origin"), headers.get(b"host")
    if not origin_allowed(
        origin and origin.decode("latin-1"), host and host.decode("latin-1"), allowed
    ):
        return None
    viewer = _viewer(scope, headers, actor, signer, hub)
    scope["headers"] = []
    state = ScopeState.from_scope(scope)  # what the auth middleware parsed, cached in the scope
    state.headers = state.cookies = Empty
    return viewer


async def _welcome(conn: Socket, room: Room, snapshot: SnapshotHook, issued: str | None) -> None:
    """The snapshot, then the ticks that arrived meanwhile; a refusal closes the socket."""
    try:
        payload = await snapshot(conn.room_id, conn.actor)
    except JoinRefused as exc:
        conn.close(exc.code, exc.reason)
    except Exception:
        log.exception("snapshot_failed", room_id=conn.room_id)
        conn.close(1011, "snapshot failed")
    else:
        first = Snapshot(seq=room.seq, payload=payload, counters=room.counters, guest_id=issued)
        conn.send_now(encoder.encode(first))
        conn.go_live()


def _viewer(
    scope: Any,
    headers: dict[bytes, bytes],
    actor: Actor | None,
    signer: guests.GuestIds,
    hub: RoomHub,
) -> tuple[str, str | None]:
    """Who counts once in unique viewers and whose limits a socket shares: the user, else the
    guest id the server signed (query or cookie), else the client's address; a guest without a
    valid id is issued one for next time (guests.py), within its address's budget."""
    if actor is not None:
        return f"u:{actor.id}", None
    for guest in guests.presented(scope.get("query_string", b""), headers.get(b"cookie")):
        if signer.valid(guest):
            return guests.viewer_id(guest), None
    address = guests.client_address(scope)
    fresh = signer.issue() if hub.guest_budget.take(address, time.monotonic()) else None
    return guests.ADDRESS_PREFIX + address, fresh


async def _serve(
    socket: WebSocket,
    conn: Socket,
    hub: RoomHub,
    authorize: ChatHook,
    answers: Mapping[str, ActionHook],
    names: NameHook = _login_name,
) -> None:
    """Read the client's frames until it goes; every refusal is an error frame, not an exception."""
    cfg = hub.config
    receive = socket.receive
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if conn.closed:
            continue  # we are closing; wait for the transport to end
        data = message.get("text")
        if data is None:
            data = message.get("bytes")
        if not isinstance(data, (str, bytes)):
            continue  # neither text nor bytes
        size = len(data) if isinstance(data, bytes) else len(data.encode())
        if size > cfg.max_frame_bytes:
            conn.close(1009, "frame too large")
            continue
        now = time.monotonic()
        conn.last_seen = now
        try:
            frame = client_decoder.decode(data)
        except msgspec.DecodeError as exc:  # ValidationError is a subclass
            _refuse(conn, ErrorCode.BAD_FRAME, str(exc)[:200], cfg.max_strikes)
            continue
        except RecursionError:  # deep nesting (even in an ignored field): malformed, not a crash
            _refuse(conn, ErrorCode.BAD_FRAME, "frame nested too deeply", cfg.max_strikes)
            continue
        if isinstance(frame, Ping):
            conn.send_now(PONG)
            continue
        if isinstance(frame, ViewProduct):
            # Guests count too (they are in the unique viewers the funnel starts from); the like
            # bucket bounds it, as it bounds likes.
            if conn.limits.like.take(now):
                conn.strikes = 0
                hub.submit_product_view(conn, frame.product_id)
            else:
                _refuse(conn, ErrorCode.RATE_LIMITED, "too many requests", cfg.max_strikes)
            continue
        if conn.actor is None:
            _refuse(conn, ErrorCode.LOGIN_REQUIRED, "log in to chat and like", cfg.max_strikes)
            continue
        # The buckets are the viewer's, shared by its sockets in this room (hub.py).
        limits = conn.limits
        if isinstance(frame, Like):
            if not limits.like.take(now):
                _refuse(conn, ErrorCode.RATE_LIMITED, "too many likes", cfg.max_strikes)
                continue
            conn.strikes = 0
            hub.submit_likes(conn, frame.count)
        elif isinstance(frame, Chat):
            if not limits.chat.take(now):
                _refuse(conn, ErrorCode.RATE_LIMITED, "too many messages", cfg.max_strikes)
                continue
            try:
                priority = await authorize(conn.room_id, conn.actor, frame.text)
            except ChatRejected as exc:
                conn.send_now(error_frame(exc.code, exc.detail))
                continue
            conn.strikes = 0
            name = await names(conn.actor)
            hub.submit_chat(conn, frame.text, priority=bool(priority), name=name)
        elif isinstance(frame, Grab):
            if not limits.like.take(now):
                _refuse(conn, ErrorCode.RATE_LIMITED, "too many requests", cfg.max_strikes)
                continue
            await _answer(conn, answers.get("grab"), "grab", msgspec.to_builtins(frame))


async def _answer(conn: Socket, hook: ActionHook | None, kind: str, frame: dict[str, Any]) -> None:
    if hook is None:
        conn.send_now(error_frame(ErrorCode.BAD_FRAME, f"{kind} is not available"))
        return
    try:
        result = await hook(conn.room_id, conn.actor, frame)
    except Exception as exc:
        code = str(getattr(exc, "code", "") or "internal_error")
        if code == "internal_error":
            log.exception("room_action_failed", kind=kind, room_id=conn.room_id)
        conn.send_now(error_frame(code, str(getattr(exc, "detail", "") or "")[:200]))
        return
    conn.send_now(encoder.encode({"type": f"{kind}_result", **result}))


def _refuse(conn: Socket, code: str, detail: str, max_strikes: int) -> None:
    """An error frame; a client that keeps going after `max_strikes` refusals is closed (1008)."""
    conn.strikes += 1
    conn.send_now(error_frame(code, detail))
    if conn.strikes > max_strikes:
        conn.close(1008, f"{code}: too many refused frames")
