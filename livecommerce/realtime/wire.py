"""Websocket frames of a live room: JSON objects tagged by `type`, camelCase fields.

Client -> server: chat, like, ping, grab, view_product. Server -> client: snapshot (once), tick,
error, pong.
Events inside a tick are plain dicts owned by the domains; the hub only reads their
`type` and `priority`, so a new event kind needs no change here.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import msgspec

# Never sampled away: the host and moderators speak, and commerce changes what a
# viewer can buy. Ordinary chat is the only thing a busy room may thin out.
PRIORITY_TYPES = frozenset(
    {
        "host",
        "moderator",
        "pin",
        "unpin",
        "coupon",
        "red_packet",
        "purchase",
        "product",
        "session",
        "announcement",
    }
)


class _Frame(msgspec.Struct, tag_field="type", rename="camel", forbid_unknown_fields=False):
    pass


# --- client -> server ---------------------------------------------------------------------


class Chat(_Frame, tag="chat"):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Like(_Frame, tag="like"):
    count: Annotated[int, msgspec.Meta(ge=1, le=50)] = 1


class Ping(_Frame, tag="ping"):
    pass


class Grab(_Frame, tag="grab"):
    """Grab a red packet (answered by the promotions domain, to this socket only)."""

    red_packet_id: int


class ViewProduct(_Frame, tag="view_product"):
    """The viewer opened a product of the room (its card or buy sheet): counted per tick for the
    session's funnel, never answered."""

    product_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


ClientFrame = Chat | Like | Ping | Grab | ViewProduct
client_decoder = msgspec.json.Decoder(ClientFrame)


# --- server -> client ---------------------------------------------------------------------


class Snapshot(_Frame, tag="snapshot", omit_defaults=True):
    seq: int
    payload: dict[str, Any]
    counters: dict[str, int]
    # A guest id the server has just issued (realtime/guests.py): the page sends it back as
    # `?guest=`. Absent for users and for guests that came with a valid one.
    guest_id: str | None = None


class Tick(_Frame, tag="tick"):
    seq: int
    events: list[dict[str, Any]]
    # Only the counters that changed since the previous tick; the snapshot has them all.
    counters: dict[str, int]


class Error(_Frame, tag="error"):
    code: str
    detail: str = ""


class Pong(_Frame, tag="pong"):
    pass


# --- between api processes (Redis pub/sub) -------------------------------------------------


class Batch(msgspec.Struct, array_like=True):
    # `origin` lets the publishing process skip its own batch: it delivered it locally already.
    origin: str
    events: list[dict[str, Any]]


encoder = msgspec.json.Encoder()
batch_decoder = msgspec.json.Decoder(Batch)

PONG = encoder.encode(Pong())


def error_frame(code: str, detail: str = "") -> bytes:
    return encoder.encode(Error(code=code, detail=detail))


def is_priority(event: dict[str, Any]) -> bool:
    return bool(event.get("priority")) or event.get("type") in PRIORITY_TYPES


def make_event(type_: str, *, priority: bool | None = None, **fields: Any) -> dict[str, Any]:
    """An event dict with `type`, `priority` and a send time `ts` (seconds, for latency)."""
    event: dict[str, Any] = {"type": type_, **fields}
    event["priority"] = (type_ in PRIORITY_TYPES) if priority is None else priority
    event.setdefault("ts", time.time())
    return event
