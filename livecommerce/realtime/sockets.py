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

The fast path uses private objects of uvicorn and websockets (listed in `SansIOProtocol`),
so both are pinned exactly in pyproject.toml. Which path a socket took is recorded:
`Socket.fast` / `Socket.fallback_reason` per socket, `paths` per process, and the first
fallback for each reason is logged (`ws_fast_path_off`, with the reason and the versions).
tests/realtime/test_fast_path.py fails when a real uvicorn connection stops taking the
fast path: re-run it on any bump of uvicorn or websockets. `WS_FAST_PATH=0` in the
environment turns the fast path off (every socket takes the ASGI path).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import struct
import time
from importlib import metadata
from typing import Any, Protocol, TypeAlias, cast

import structlog
from litestar.types import Receive, Send

from livecommerce.realtime.config import HubConfig
from livecommerce.realtime.lean import slim_connection
from livecommerce.realtime.limits import ViewerLimits

log = structlog.get_logger("realtime.sockets")

# Set to 0 / off / false / no to send every frame through the ASGI `send` (a kill switch
# should a uvicorn or websockets upgrade keep the internals' names but change their meaning).
FAST_PATH_ENV = "WS_FAST_PATH"
_OFF = frozenset({"0", "off", "false", "no"})


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


# --- the private internals the fast path relies on ---------------------------------------


class SansIOConnection(Protocol):
    """What we use of websockets' sans-I/O `ServerProtocol` (uvicorn's `proto.conn`)."""

    extensions: list[Any]

    def send_close(self, code: int | None = None, reason: str = "") -> None: ...

    def data_to_send(self) -> list[bytes]: ...


class SansIOProtocol(Protocol):
    """What the fast path reads and writes of uvicorn's private `WebSocketsSansIOProtocol`.

    (uvicorn/protocols/websockets/websockets_sansio_impl.py, checked on uvicorn 0.54.0 with
    websockets 17.4.) The ASGI `receive`/`send` uvicorn hands the app are its bound methods.

    - `transport`: the connection's asyncio transport; ticks are written to it directly
      (`write`, `get_write_buffer_size`, `is_closing`, `abort`, `resume_reading`).
    - `conn`: websockets' `ServerProtocol`; `extensions` must be empty (no per-message
      deflate, so a frame is the same bytes for every viewer), `send_close()` and
      `data_to_send()` frame our close.
    - `close_sent`, `read_paused`, `close_timer`: uvicorn's close bookkeeping, kept as its
      own `send({"type": "websocket.close"})` keeps it: its `send` then refuses more, its
      `handle_close` ends the transport on the peer's echo (cancelling `close_timer`), and
      its `run_asgi` leaves the transport open while `close_timer` is set.

    Writing frames beside `conn` also assumes websockets keeps no state about the frames a
    server sends (true of its sans-I/O protocol: only the close handshake is tracked).
    lean.py, best effort, also swaps `queue` and `writable` and drops `request`/`response`.
    """

    transport: asyncio.Transport
    conn: SansIOConnection
    close_sent: bool
    read_paused: bool
    close_timer: asyncio.TimerHandle | None


PROTOCOL_TYPE = ("uvicorn.protocols.websockets.websockets_sansio_impl", "WebSocketsSansIOProtocol")
_TRANSPORT_METHODS = ("write", "get_write_buffer_size", "is_closing", "abort", "resume_reading")
_CONN_METHODS = ("send_close", "data_to_send")


def _is_sansio_protocol(obj: Any) -> bool:
    cls = type(obj)
    return (cls.__module__, cls.__qualname__) == PROTOCOL_TYPE


def find_sansio_protocol(*callables: Any, depth: int = 4) -> Any | None:
    """uvicorn's WebSocketsSansIOProtocol behind the ASGI `receive`/`send` of a connection.

    They are its bound methods; middleware (Litestar's own exception middleware, ours)
    wraps them in closures, so we look through closure cells a few levels deep. Not found
    (another server, another `--ws`, a middleware that hides it in an object): None.
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
            if _is_sansio_protocol(proto):
                return proto
            for cell in getattr(fn, "__closure__", None) or ():
                with contextlib.suppress(ValueError):  # an empty cell
                    if callable(cell.cell_contents):
                        following.append(cell.cell_contents)
        layer = following
    return None


def missing_internals(proto: Any) -> list[str]:
    """The internals listed in `SansIOProtocol` that `proto` lacks (empty: all present)."""
    missing = [
        name
        for name in ("close_sent", "read_paused")
        if type(getattr(proto, name, None)) is not bool
    ]
    if not hasattr(proto, "close_timer"):
        missing.append("close_timer")
    transport = getattr(proto, "transport", None)
    if transport is None:
        missing.append("transport")
    else:
        missing += [
            f"transport.{name}()"
            for name in _TRANSPORT_METHODS
            if not callable(getattr(transport, name, None))
        ]
    conn = getattr(proto, "conn", None)
    missing += [
        f"conn.{name}()" for name in _CONN_METHODS if not callable(getattr(conn, name, None))
    ]
    if not isinstance(getattr(conn, "extensions", None), list):
        missing.append("conn.extensions")
    return missing


def choose_path(receive: Any, send: Any) -> tuple[SansIOProtocol | None, str | None]:
    """(uvicorn's protocol, None) for the fast path, else (None, why the socket falls back)."""
    if os.environ.get(FAST_PATH_ENV, "").strip().lower() in _OFF:
        return None, f"turned off by {FAST_PATH_ENV}"
    proto = find_sansio_protocol(receive, send)
    if proto is None:
        return None, (
            "no uvicorn WebSocketsSansIOProtocol behind the ASGI receive/send (another server,"
            " another --ws, or a middleware that hides it)"
        )
    missing = missing_internals(proto)
    if missing:
        return None, "uvicorn's WebSocketsSansIOProtocol has no " + ", ".join(missing)
    if proto.conn.extensions:
        return None, "per-message deflate negotiated (frames differ per socket)"
    return cast("SansIOProtocol", proto), None


class PathCounts:
    """Sockets of this process that took each path, and why the others fell back."""

    __slots__ = ("fallback", "fast", "reasons")

    def __init__(self) -> None:
        self.fast = 0
        self.fallback = 0
        self.reasons: collections.Counter[str] = collections.Counter()


paths = PathCounts()
_logged: set[str] = set()


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def _record(reason: str | None) -> None:
    if reason is None:
        paths.fast += 1
        return
    paths.fallback += 1
    paths.reasons[reason] += 1
    if reason not in _logged:  # once per process and reason
        _logged.add(reason)
        log.warning(
            "ws_fast_path_off",
            reason=reason,
            uvicorn=_version("uvicorn"),
            websockets=_version("websockets"),
        )


# The fallback's frames and, last, its close (code, reason), waiting for the writer task.
Backlog: TypeAlias = "collections.deque[OutFrame | tuple[int, str]]"


class Socket:
    __slots__ = (
        "_proto",
        "_queue",
        "_send",
        "_transport",
        "_wakeup",
        "_writer",
        "actor",
        "closed",
        "config",
        "counted",
        "fallback_reason",
        "id",
        "last_seen",
        "limits",
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
        limits: ViewerLimits,
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
        # The buckets of this viewer in this room, shared with its other sockets (the hub's).
        self.limits = limits
        self.counted = False  # in `limits.sockets`: set by the hub's join, cleared when it leaves
        self.strikes = 0
        self.on_drop: Any = None  # set by the hub: removes the socket from its room
        proto, reason = choose_path(receive, send)
        _record(reason)
        # None on the fast path, else why this socket writes through the ASGI `send`.
        self.fallback_reason = reason
        self._proto = proto
        self._transport = proto.transport if proto is not None else None
        if proto is not None:
            slim_connection(proto)  # RSS per idle viewer counts: see lean.py
        self._send = send
        self._queue: Backlog | None = None
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
        proto, transport = self._proto, self._transport
        if proto is not None and transport is not None:
            if proto.close_sent or transport.is_closing():
                self._mark_closed()
            elif transport.get_write_buffer_size() > self.config.max_buffered_bytes:
                self.close(1013, "slow consumer")
            else:
                transport.write(frame.wire)
            return
        queue, wakeup = self._ensure_writer()
        if len(queue) >= self.config.max_queued_frames:
            self.close(1013, "slow consumer", discard=True)
            return
        queue.append(frame)
        wakeup.set()

    # --- closing ---------------------------------------------------------------------------

    def close(self, code: int, reason: str = "", *, discard: bool = False) -> None:
        """Close with `code` now, without waiting for the peer (it may be the slow one).

        `discard`: a slow consumer gets the close frame before its backlog (ASGI path).
        """
        if self.closed:
            return
        proto, transport = self._proto, self._transport
        if proto is not None and transport is not None:
            self._mark_closed()
            if proto.close_sent or transport.is_closing():
                return
            try:
                proto.conn.send_close(code, reason)
                transport.write(b"".join(proto.conn.data_to_send()))
            except Exception:
                transport.abort()
                return
            # uvicorn's own close bookkeeping: further ASGI sends are refused, the peer's
            # close echo ends the transport, and a peer that never answers is aborted.
            proto.close_sent = True
            if proto.read_paused:
                proto.read_paused = False
                transport.resume_reading()
            proto.close_timer = asyncio.get_running_loop().call_later(
                self.config.close_grace, transport.abort
            )
            return
        queue, wakeup = self._ensure_writer()
        if discard:
            queue.clear()
        queue.append((code, reason))
        wakeup.set()
        self._mark_closed()

    def _mark_closed(self) -> None:
        if not self.closed:
            self.closed = True
            if self.on_drop is not None:
                self.on_drop(self)

    # --- fallback writer -------------------------------------------------------------------

    def _ensure_writer(self) -> tuple[Backlog, asyncio.Event]:
        """The fallback queue and its wakeup, created with the writer task on first use."""
        queue, wakeup = self._queue, self._wakeup
        if queue is None or wakeup is None:
            queue, wakeup = collections.deque(), asyncio.Event()
            self._queue, self._wakeup = queue, wakeup
            self._writer = asyncio.get_running_loop().create_task(self._drain(queue, wakeup))
        return queue, wakeup

    async def _drain(self, queue: Backlog, wakeup: asyncio.Event) -> None:
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
        """Stop the fallback writer, if any (the handler is returning); let a close frame out."""
        writer = self._writer
        if writer is None or writer.done():
            return
        if self.closed and self._queue:
            with contextlib.suppress(Exception):  # TimeoutError included
                await asyncio.wait_for(asyncio.shield(writer), self.config.close_grace)
        writer.cancel()
