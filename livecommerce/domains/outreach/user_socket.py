"""/ws/me: the logged-in user's own socket. It carries their inbox's unread count (at once,
then whenever it changes) and each new inbox item: `{"type": "inbox", "unread": N, "item": …}`.

The handshake checks are the room socket's: a browser's Origin must be this site (or an
allowed one), and only a logged-in user (JWT cookie or header) is accepted; nothing the client
sends is read except to notice that it left.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

import msgspec
from litestar import Litestar, WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from livecommerce.domains.outreach import inbox
from livecommerce.domains.outreach.inbox_push import UserHub
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.realtime.endpoint import origin_allowed

PATH = "/ws/me"


def hub_of(app: Litestar) -> UserHub:
    hub = getattr(app.state, "user_hub", None)
    if hub is None:
        hub = app.state.user_hub = UserHub(app.state.redis)
    return hub


async def stop(app: Litestar) -> None:
    hub = getattr(app.state, "user_hub", None)
    if hub is not None:
        await hub.stop()
        app.state.user_hub = None


def user_ws(allowed_origins: Iterable[str]) -> Any:
    allowed = tuple(allowed_origins)

    async def me_ws(socket: WebSocket) -> None:
        headers: dict[bytes, bytes] = dict(socket.scope["headers"])
        origin, host = headers.get(b"origin"), headers.get(b"host")
        user = socket.scope.get("user")
        said = origin.decode("latin-1") if origin is not None else None
        if not origin_allowed(said, host.decode("latin-1") if host else None, allowed):
            await socket.close(code=1008, reason="origin not allowed")
            return
        if not isinstance(user, Actor):
            await socket.close(code=1008, reason="log in first")
            return
        await socket.accept()
        hub = hub_of(socket.app)
        queue = await hub.join(user.id)
        try:
            async with db.connection() as conn:
                count = await inbox.unread(conn, user.id)
            await socket.send_text(msgspec.json.encode({"type": "inbox", "unread": count}).decode())
            await _serve(socket, queue)
        finally:
            hub.leave(user.id, queue)

    return websocket(PATH, name="user_socket", opt={"exclude_from_auth": False})(me_ws)


async def _serve(socket: WebSocket, queue: asyncio.Queue[bytes]) -> None:
    async def drain_client() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await socket.receive_data("text")

    reader = asyncio.create_task(drain_client())
    try:
        while not reader.done():
            getter = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                await socket.send_text(getter.result().decode())
            else:
                getter.cancel()
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
