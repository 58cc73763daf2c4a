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
    grabbed, each as this viewer stands with it (a page that reloads knows nothing else)."""
    viewer = actor.id if actor is not None else None
    return {
        "coupons": await _coupons(conn, room_id, viewer),
        "redPackets": await _red_packets(conn, room_id, viewer),
    }


async def _coupons(conn: Connection, room_id: int, viewer: int | None) -> list[dict[str, Any]]:
    # A coupon whose copies are all gone stays in the bag of a viewer holding one: it says
    # "claimed" there rather than vanishing.
    rows = await conn.fetch(
        "SELECT c.*, (SELECT count(*) FROM user_coupons u"
        " WHERE u.coupon_id = c.id AND u.user_id = $2) AS your_claims"
        " FROM coupons c WHERE c.room_id = $1 AND c.dropped_at IS NOT NULL"
        " AND (c.valid_to IS NULL OR c.valid_to > now())"
        " AND (c.issued < c.quota OR EXISTS (SELECT 1 FROM user_coupons u"
        " WHERE u.coupon_id = c.id AND u.user_id = $2))"
        " ORDER BY c.id DESC LIMIT 20",
        room_id,
        viewer,
    )
    return [
        {
            **coupon_event_fields(row),
            "perUserLimit": row["per_user_limit"],
            "yourClaims": row["your_claims"],
            "claimedByYou": row["your_claims"] >= row["per_user_limit"],
        }
        for row in rows
    ]


async def _red_packets(conn: Connection, room_id: int, viewer: int | None) -> list[dict[str, Any]]:
    # The row's claimed_count is written when the packet ends: while it runs, the parts count.
    rows = await conn.fetch(
        "SELECT r.*,"
        " (SELECT count(*) FROM red_packet_parts p"
        " WHERE p.packet_id = r.id AND p.user_id IS NOT NULL) AS grabbed,"
        " (SELECT p.amount FROM red_packet_parts p"
        " WHERE p.packet_id = r.id AND p.user_id = $2) AS yours"
        " FROM red_packets r WHERE r.room_id = $1 AND r.status = 'active' AND r.expires_at > now()"
        " AND EXISTS (SELECT 1 FROM red_packet_parts p"
        " WHERE p.packet_id = r.id AND p.user_id IS NULL) ORDER BY r.id DESC LIMIT 20",
        room_id,
        viewer,
    )
    return [
        {
            **red_packets.packet_event_fields(row),
            "claimedCount": row["grabbed"],
            "grabbedByYou": row["yours"] is not None,
            "yourAmount": row["yours"],
        }
        for row in rows
    ]


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
