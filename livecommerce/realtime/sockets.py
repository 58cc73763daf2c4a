"""One viewer connection as the hub sees it: how bytes reach it, and when it is dropped.

The fan-out must never wait for a socket, so `deliver()` is synchronous:

- fast path (uvicorn's websockets-sansio protocol, no compression): a server frame is
  unmasked, so its bytes are the same for every viewer. The hub frames a tick once and
  each delivery is one `transport.write()` of those bytes. A socket whose transport
  buffer holds more than `max_buffered_bytes` is a slow consumer and is dropped.
- fallback (any other server, or a middleware that wraps `send`): a bounded queue
  drained by a writer task through the ASGI `send`; a full queue drops the socket.

Measured (bench/fanout.py, 2,000 sockets, one core): Litestar's `send_data` per socket
costs a coroutine, two wrapper layers and websockets' per-socket framing; the fast path
leaves one C-level write per delivery. See the module docstring of endpoint.py.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import struct
import time
from typing import Any

from litestar.types import Receive, Send

from livecommerce.realtime.config import HubConfig
from livecommerce.realtime.lean import slim_connection
from livecommerce.realtime.limits import TokenBucket


def ws_text_frame(payload: bytes) -> bytes:
    """RFC 6455 unmasked, unfragmented text frame (what a server sends)."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


class OutFrame:
    """A payload encoded once per tick; its wire bytes framed once, on first need."""

    __slots__ = ("_wire", "payload")

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = ws_text_frame(self.payload)
        return self._wire


def find_sansio_protocol(*callables: Any, depth: int = 4) -> Any | None:
    """uvicorn's WebSocketsSansIOProtocol behind the ASGI `receive`/`send` of a connection.

    They are its bound methods; middleware (Litestar's own exception middleware, ours)
    wraps them in closures, so we look through closure cells a few levels deep. Not
    found (another server, compression on): None, and the socket takes the ASGI path.
    """
    seen: set[int] = set()
    layer = [c for c in callables if c is not None]
    for _ in range(depth):
        following: list[Any] = []
        for fn in layer:
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            proto = getattr(fn, "__self__", None)
            if type(proto).__name__ == "WebSocketsSansIOProtocol" and getattr(
                proto, "transport", None
            ):
                # Per-message deflate would make frames differ per socket.
                return None if getattr(proto.conn, "extensions", None) else proto
            for cell in getattr(fn, "__closure__", None) or ():
                with contextlib.suppress(ValueError):  # an empty cell
                    if callable(cell.cell_contents):
                        following.append(cell.cell_contents)
        layer = following
    return None


class Socket:
    __slots__ = (
        "_proto",
        "_queue",
        "_send",
        "_transport",
        "_wakeup",
        "_writer",
        "actor",
        "chat_bucket",
        "closed",
        "config",
        "id",
        "last_seen",
        "like_bucket",
        "on_drop",
        "pending",
        "room_id",
        "strikes",
        "viewer_id",
    )

    def __init__(
        self,
        conn_id: str,
        room_id: int,
        actor: Any,
        viewer_id: str,
        config: HubConfig,
        receive: Receive,
        send: Send,
    ) -> None:
        now = time.monotonic()
        self.id = conn_id
        self.room_id = room_id
        self.actor = actor
        self.viewer_id = viewer_id
        self.config = config
        self.closed = False
        # Frames that arrive before the snapshot is sent wait here, so none falls in the gap.
        self.pending: list[OutFrame] | None = []
        self.last_seen = now
        self.chat_bucket = TokenBucket(config.chat_rate, config.chat_burst, now)
        self.like_bucket = TokenBucket(config.like_rate, config.like_burst, now)
        self.strikes = 0
        self.on_drop: Any = None  # set by the hub: removes the socket from its room
        self._proto = find_sansio_protocol(receive, send)
        self._transport = self._proto.transport if self._proto is not None else None
        if self._proto is not None:
            slim_connection(self._proto)  # RSS per idle viewer counts: see lean.py
        self._send = send
        self._queue: collections.deque[OutFrame | tuple[int, str]] | None = None
        self._wakeup: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None

    @property
    def fast(self) -> bool:
        return self._proto is not None

    # --- sending ---------------------------------------------------------------------------

    def deliver(self, frame: OutFrame) -> None:
        """Hand a frame to this socket without waiting; drop the socket if it cannot keep up."""
        if self.closed:
            return
        if self.pending is not None:
            if len(self.pending) >= self.config.max_pending_frames:
                self.close(1013, "snapshot too slow")
            else:
                self.pending.append(frame)
            return
        self._write(frame)

    def send_now(self, payload: bytes) -> None:
        """A frame for this socket only (snapshot, error, pong), in order with the ticks."""
        if not self.closed:
            self._write(OutFrame(payload))

    def go_live(self) -> None:
        """The snapshot is out: flush what arrived meanwhile, then deliver ticks directly."""
        pending, self.pending = self.pending or [], None
        for frame in pending:
            self.deliver(frame)

    def _write(self, frame: OutFrame) -> None:
        proto = self._proto
        if proto is not None:
            transport = self._transport
            if proto.close_sent or transport.is_closing():
                self._mark_closed()
            elif transport.get_write_buffer_size() > self.config.max_buffered_bytes:
                self.close(1013, "slow consumer")
            else:
                transport.write(frame.wire)
            return
        queue = self._ensure_writer()
        if len(queue) >= self.config.max_queued_frames:
            self.close(1013, "slow consumer", discard=True)
            return
        queue.append(frame)
        assert self._wakeup is not None
        self._wakeup.set()

    # --- closing ---------------------------------------------------------------------------

    def close(self, code: int, reason: str = "", *, discard: bool = False) -> None:
        """Close with `code` now, without waiting for the peer (it may be the slow one).

        `discard`: a slow consumer gets the close frame before its backlog (ASGI path).
        """
        if self.closed:
            return
        proto = self._proto
        if proto is not None:
            self._mark_closed()
            if proto.close_sent or self._transport.is_closing():
                return
            try:
                proto.conn.send_close(code, reason)
                self._transport.write(b"".join(proto.conn.data_to_send()))
            except Exception:
                self._transport.abort()
                return
            # uvicorn's own close bookkeeping: further ASGI sends are refused, the peer's
            # close echo ends the transport, and a peer that never answers is aborted.
            proto.close_sent = True
            if proto.read_paused:
                proto.read_paused = False
                self._transport.resume_reading()
            proto.close_timer = asyncio.get_running_loop().call_later(
                self.config.close_grace, self._transport.abort
            )
            return
        queue = self._ensure_writer()
        if discard:
            queue.clear()
        queue.append((code, reason))
        assert self._wakeup is not None
        self._wakeup.set()
        self._mark_closed()

    def _mark_closed(self) -> None:
        if not self.closed:
            self.closed = True
            if self.on_drop is not None:
                self.on_drop(self)

    # --- fallback writer -------------------------------------------------------------------

    def _ensure_writer(self) -> collections.deque[OutFrame | tuple[int, str]]:
        if self._queue is None:
            self._queue = collections.deque()
            self._wakeup = asyncio.Event()
            self._writer = asyncio.get_running_loop().create_task(self._drain())
        return self._queue

    async def _drain(self) -> None:
        assert self._queue is not None and self._wakeup is not None
        queue, wakeup = self._queue, self._wakeup
        try:
            while True:
                while not queue:
                    wakeup.clear()
                    await wakeup.wait()
                item = queue.popleft()
                if isinstance(item, tuple):
                    code, reason = item
                    await self._send({"type": "websocket.close", "code": code, "reason": reason})
                    return
                await self._send(
                    {"type": "websocket.send", "bytes": None, "text": item.payload.decode()}
                )
        except Exception:
            self._mark_closed()

    async def aclose(self) -> None:
        """Stop the fallback writer, if any (the handler is returning), letting a close frame out."""
        writer = self._writer
        if writer is None or writer.done():
            return
        if self.closed and self._queue:
            try:
                await asyncio.wait_for(asyncio.shield(writer), self.config.close_grace)
            except (TimeoutError, Exception):
                pass
        writer.cancel()
