"""What promotions plug into the live room (wired in livecommerce/wiring.py): active coupons
and red packets in the join snapshot, and the `grab` frame. Its order reactions (the coupon
priced and held at placement, consumed when paid, released when cancelled) are in checkout.py.
"""

from __future__ import annotations

from typing import Any

from asyncpg import Connection

from livecommerce.domains.promotions import live_state, red_packets
from livecommerce.domains.promotions.coupons import coupon_event_fields
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode


async def room_promotions(conn: Connection, room_id: int, actor: Actor | None) -> dict[str, Any]:
    """The join snapshot's part: coupons that can still be claimed, red packets that can still be
    grabbed."""
    coupons = await conn.fetch(
        "SELECT * FROM coupons WHERE room_id = $1 AND dropped_at IS NOT NULL AND issued < quota"
        " AND (valid_to IS NULL OR valid_to > now()) ORDER BY id DESC LIMIT 20",
        room_id,
    )
    return {
        "coupons": [coupon_event_fields(row) for row in coupons],
        "redPackets": await red_packets.active_in_room(conn, room_id),
    }


async def grab_action(room_id: int, actor: Actor, frame: dict[str, Any]) -> dict[str, Any]:
    """`{"type": "grab", "redPacketId": N}` over the room's websocket: the same grab as over
    HTTP."""
    packet_id = frame.get("redPacketId")
    if not isinstance(packet_id, int) or isinstance(packet_id, bool):
        raise DomainError(ErrorCode.VALIDATION_ERROR, detail="redPacketId must be an integer")
    result = await red_packets.grab(live_state.bound(), packet_id, actor.id, room_id=room_id)
    return {
        "redPacketId": result.red_packet_id,
        "outcome": result.outcome,
        "amount": result.amount,
        "again": result.again,
    }
