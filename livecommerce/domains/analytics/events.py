"""What one behaviour event is: a row of `behaviour_events`, in its column order.

An `Event` is a NamedTuple so the batch writer hands it to COPY as it is (no conversion per
event): 2,000,000 events a run in bench/funnel.py made that conversion a visible cost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, NamedTuple, get_args

EventKind = Literal[
    "room_enter",
    "room_leave",
    "product_view",
    "bag_open",
    "sheet_add",
    "checkout_start",
    "paid",
    "share",
    "link_click",
    "coupon_claim",
]
# What a page may send through the beacon; the others are recorded by the server itself (the
# room socket: enter/leave; orders: paid; distribution: link_click; promotions: coupon_claim),
# so a client can't make up a payment, a click or a visit.
BeaconKind = Literal["product_view", "bag_open", "sheet_add", "checkout_start", "share"]
KINDS: tuple[str, ...] = get_args(EventKind)
BEACON_KINDS: tuple[str, ...] = get_args(BeaconKind)

COLUMNS = (
    "occurred_at",
    "kind",
    "user_id",
    "guest_id",
    "host_id",
    "room_id",
    "session_id",
    "product_id",
    "distributor_id",
    "channel",
    "device",
    "order_id",
    "amount",
    "watch_seconds",
)


class Event(NamedTuple):
    occurred_at: datetime
    kind: str
    user_id: int | None = None
    guest_id: str | None = None
    host_id: int | None = None
    room_id: int | None = None
    session_id: int | None = None
    product_id: int | None = None
    distributor_id: int | None = None
    channel: str | None = None
    device: str | None = None
    order_id: int | None = None
    amount: int | None = None
    watch_seconds: int | None = None


def now() -> datetime:
    return datetime.now(UTC)
