"""Helpers of the campaign and results tests: a host with members in a segment, a room, and a
campaign sent and delivered without a worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from livecommerce.domains.outreach import campaign_jobs, delivery
from livecommerce.infra import db
from tests.support import TestUser, create_room


@dataclass
class Shop:
    host: TestUser
    members: list[TestUser]
    segment_id: int
    room_id: int


async def shop_with_members(
    client: httpx.AsyncClient, user_factory: Any, name: str, n: int
) -> Shop:
    """A host whose `n` members (rows in `members`, as a paid order makes them) are all in its
    segment 'everyone', and one room."""
    host = await user_factory(f"{name}_host", ["host"])
    members = [await user_factory(f"{name}_m{i}") for i in range(n)]
    async with db.connection() as conn:
        for m in members:
            await conn.execute(
                "INSERT INTO members (host_id, user_id, lifetime_spend, paid_orders,"
                " first_paid_at, last_paid_at) VALUES ($1, $2, 5000, 1, now(), now())",
                host.id,
                m.id,
            )
    segment = await client.post(
        "/api/host/segments", json={"name": "everyone", "filters": {}}, headers=host.headers
    )
    assert segment.status_code == 201, segment.text
    room = await create_room(client, host, title=f"{name} room")
    return Shop(host, members, segment.json()["id"], room["id"])


def campaign_body(shop: Shop, **changes: Any) -> dict[str, Any]:
    return {
        "segmentId": shop.segment_id,
        "title": "今晚八点上新",
        "body": "新茶到了，来直播间看看。",
        "linkKind": "room",
        "linkId": shop.room_id,
        **changes,
    }


async def create_campaign(client: httpx.AsyncClient, shop: Shop, **changes: Any) -> dict[str, Any]:
    body = campaign_body(shop, **changes)
    made = await client.post("/api/host/outreach/campaigns", json=body, headers=shop.host.headers)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def deliver_campaign(campaign_id: int) -> dict[int, str]:
    """Send the campaign (the job, run here) and run every delivery of its messages once:
    {delivery id: what became of it}."""
    await campaign_jobs.send(campaign_id)
    async with db.connection() as conn:
        ids = await conn.fetch(
            "SELECT d.id FROM outreach_deliveries d JOIN outreach_messages m ON m.id = d.message_id"
            " WHERE m.campaign_id = $1 ORDER BY d.id",
            campaign_id,
        )
    return {r["id"]: await delivery.deliver(r["id"], {}) for r in ids}
