"""Helpers of the journey tests: messages read straight from the database, a scheduled session,
purchases moved back in time (as if days had passed), product views on chosen days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from livecommerce.infra import db
from tests.support import TestUser


async def messages(journey: str) -> list[dict[str, Any]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM outreach_messages WHERE journey = $1 ORDER BY user_id, id", journey
        )
    return [dict(r) for r in rows]


async def schedule(client: httpx.AsyncClient, host: TestUser, room_id: int) -> dict[str, Any]:
    starts = datetime.now(UTC) + timedelta(hours=3)
    response = await client.post(
        f"/api/rooms/{room_id}/sessions",
        json={"title": "Autumn oolong", "scheduledAt": starts.isoformat()},
        headers=host.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def paid_days_ago(order_id: int, days: float) -> None:
    """As if the order had been paid `days` ago."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET paid_at = now() - make_interval(secs => $2),"
            " created_at = now() - make_interval(secs => $2) WHERE id = $1",
            order_id,
            days * 86_400,
        )


async def viewed(user: TestUser, host: TestUser, product_id: int, at: list[datetime]) -> None:
    async with db.connection() as conn:
        await conn.executemany(
            "INSERT INTO behaviour_events (occurred_at, kind, user_id, host_id, product_id)"
            " VALUES ($1, 'product_view', $2, $3, $4)",
            [(t, user.id, host.id, product_id) for t in at],
        )


async def set_journeys(
    client: httpx.AsyncClient, host: TestUser, *journeys: dict[str, Any]
) -> httpx.Response:
    return await client.put(
        "/api/host/outreach-journeys", json={"journeys": list(journeys)}, headers=host.headers
    )
