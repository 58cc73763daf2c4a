"""Red packets' expiry refunds: a deferred job per packet, and a sweeper that catches what
was missed.

Both may run twice, late, or after Redis lost everything: PostgreSQL decides (refund_expired
locks the packet row and refunds only while `refunded_at` is null)."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.promotions import red_packets


async def refund_red_packet(ctx: dict[str, Any], packet_id: int) -> bool:
    return await red_packets.refund_expired(packet_id)


async def sweep_expired_red_packets(ctx: dict[str, Any]) -> int:
    refunded = 0
    for packet_id in await red_packets.due_for_refund():
        refunded += await red_packets.refund_expired(packet_id)
    return refunded


FUNCTIONS: list[Any] = [refund_red_packet]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [(sweep_expired_red_packets, {"second": 35})]
