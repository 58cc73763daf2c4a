"""Releasing what uvicorn's websockets-sansio connection keeps but an idle room socket never uses.

Measured with tracemalloc (1,000 idle room sockets, uvicorn websockets-sansio, websockets 17,
CPython 3.11), Python objects per socket were ~20.3 KiB of the ~22.3 KiB RSS per socket; of
those:

- ~3.8 KiB: four empty deques (760 B each, CPython allocates a 64-slot block up front):
  the receive `asyncio.Queue` (`_getters`, `_putters`, `_queue`, `_finished`) and the
  `writable` Event. They hold at most one message / one waiter at a time here (uvicorn
  pauses reading while a message is queued), so a list-backed queue and flag do the same.
- ~1.9 KiB: the handshake request's headers, twice: websockets' `Headers` (kept alive as a
  local of the suspended parser generator) and the scope's list of byte pairs; both are read
  only during the handshake and by our endpoint before it subscribes.
- ~1.6 KiB: the protocol object's own __dict__; ~4 KiB of suspended coroutine frames
  (uvicorn -> Litestar -> our handler) and the task: inherent to ASGI, left alone.

With these released: ~13.5 KiB traced and ~16.2 KiB RSS per idle socket (same probe; the
bench's figure is in bench/fanout.py's table).

The private internals read here, of uvicorn's `WebSocketsSansIOProtocol` (versions pinned
in pyproject.toml, see sockets.py): `request` (websockets' `Request`, its `headers` a
websockets `Headers`) and `response`, set by `handle_connect`; `queue`, an asyncio.Queue of
which uvicorn 0.54 uses `put_nowait`, `get` and `empty` (LeanQueue's `get_nowait`/`qsize`
are spares); `writable`, an asyncio.Event it `set`s, `clear`s and `wait`s on. Everything here is
best effort and checked: an attribute that is not what we expect (another uvicorn or
websockets version) is left as it is, and the socket still works, only fatter.
"""

from __future__ import annotations

import asyncio
from typing import Any


class LeanQueue:
    """What uvicorn's `receive()` and its protocol callbacks use of an asyncio.Queue."""

    __slots__ = ("_getter", "_items")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._getter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        getter = self._getter
        if getter is not None and not getter.done():
            getter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            # One reader per connection (the ASGI app's receive loop).
            self._getter = asyncio.get_running_loop().create_future()
            try:
                await self._getter
            finally:
                self._getter = None
        return self._items.pop(0)

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)


class LeanEvent:
    """What uvicorn uses of its `writable` asyncio.Event: set, clear, is_set, wait."""

    __slots__ = ("_set", "_waiters")

    def __init__(self, is_set: bool) -> None:
        self._set = is_set
        self._waiters: list[asyncio.Future[None]] = []

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> None:
        if self._set:
            return
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        await fut


def slim_connection(proto: Any) -> None:
    """Call once the handshake is over (after accept), before the app reads from the socket."""
    # uvicorn keeps the handshake's request and response for the connection's life but reads
    # them only during the handshake. The request is also a local of websockets' suspended
    # parser generator, so dropping our reference is not enough: empty its headers.
    headers = getattr(getattr(proto, "request", None), "headers", None)
    if headers is not None and callable(getattr(headers, "clear", None)):
        headers.clear()
    proto.request = proto.response = None
    queue = getattr(proto, "queue", None)
    if (
        type(queue) is asyncio.Queue
        and not getattr(queue, "_getters", True)
        and not getattr(queue, "_putters", True)
    ):
        lean = LeanQueue()
        while not queue.empty():
            lean.put_nowait(queue.get_nowait())
        proto.queue = lean
    writable = getattr(proto, "writable", None)
    if type(writable) is asyncio.Event and not getattr(writable, "_waiters", True):
        proto.writable = LeanEvent(writable.is_set())
