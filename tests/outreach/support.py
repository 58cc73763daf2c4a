"""Outreach test helpers: a message said straight through `reach`, its deliveries run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from livecommerce.domains.outreach import config, delivery
from livecommerce.domains.outreach.channels import REGISTRY, Outgoing, SendResult
from livecommerce.domains.outreach.sending import Reach, reach
from livecommerce.infra import db
from tests.support import TestUser


def broadcast(user_id: int, host_id: int | None, period: str, **context: Any) -> Reach:
    return Reach(
        user_id=user_id,
        host_id=host_id,
        journey="broadcast",
        period=period,
        template="broadcast",
        context={"title": "上新", "body": "今晚八点", **context},
        link="/",
    )


async def say(r: Reach) -> int | None:
    async with db.transaction() as tx:
        return await reach(tx, r)


async def deliveries(message_id: int | None) -> dict[str, int]:
    """{channel: delivery id} of a message."""
    assert message_id is not None
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT channel, id FROM outreach_deliveries WHERE message_id = $1", message_id
        )
    return {r["channel"]: r["id"] for r in rows}


async def inbox_item(user_id: int, host_id: int | None = None, period: str = "p1") -> int:
    """An item in the user's inbox (its delivery sent): its id."""
    message_id = await say(broadcast(user_id, host_id, period))
    assert message_id is not None
    item = (await deliveries(message_id))["inbox"]
    assert await delivery.deliver(item, {}) == "delivered"
    return item


@dataclass
class Recorder:
    """A channel that keeps what it was given (and can be told to fail)."""

    name: str
    fail: str = ""
    sent: list[Outgoing] = field(default_factory=list)

    async def send(self, delivery: Outgoing) -> SendResult:
        self.sent.append(delivery)
        return SendResult(False, self.fail) if self.fail else SendResult(True)


@pytest.fixture
def recorders() -> Iterator[dict[str, Recorder]]:
    """'sandbox' (no consent needed) and 'email' (consent needed) record what they send; the
    restraint settings are the defaults (cap 16 h, quiet 21:00-09:00, no host cap)."""
    names = ("sandbox", "email")
    before = {n: REGISTRY.get(n) for n in names}
    made = {n: Recorder(n) for n in names}
    for recorder in made.values():
        REGISTRY.register(recorder)
    previous = config.use(cap_hours=16, quiet_hours="21:00-09:00", host_daily_cap=0)
    try:
        yield made
    finally:
        config.use(previous)
        for name, channel in before.items():
            if channel is None:
                REGISTRY.unregister(name)
            else:
                REGISTRY.register(channel)


async def put_settings(client: httpx.AsyncClient, user: TestUser, **body: Any) -> dict[str, Any]:
    response = await client.put("/api/me/notification-settings", json=body, headers=user.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def opt_in(
    client: httpx.AsyncClient, user: TestUser, *channels: str, quiet: str = "off"
) -> None:
    """Standing consent on `channels`, and quiet hours off (unless given)."""
    await put_settings(
        client,
        user,
        channels=[{"channel": c, "standing": True} for c in channels],
        quietHours=quiet,
    )


async def statuses(user_id: int, channel: str) -> list[tuple[str, str]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT status, skip_reason FROM outreach_deliveries"
            " WHERE user_id = $1 AND channel = $2 ORDER BY id",
            user_id,
            channel,
        )
    return [(r["status"], r["skip_reason"]) for r in rows]
