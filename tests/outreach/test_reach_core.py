"""`reach`: a message is said once per (user, journey, period), on the channels the user may
get it on, whatever the concurrency."""

from __future__ import annotations

import asyncio

from livecommerce.domains.outreach.sending import Reach, reach
from livecommerce.infra import db


def _reach(user_id: int, period: str = "session:1") -> Reach:
    return Reach(
        user_id=user_id,
        host_id=None,
        journey="reminder",
        period=period,
        template="reminder",
        context={"room_title": "R", "session_title": "S"},
        link="/rooms/1",
    )


async def _say(r: Reach) -> int | None:
    async with db.transaction() as tx:
        return await reach(tx, r)


async def test_reached_twice_is_one_message(app, user_factory):
    buyer = await user_factory("buyer1")
    first = await _say(_reach(buyer.id))
    again = await _say(_reach(buyer.id))
    assert first is not None and again is None
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outreach_messages") == 1
        channels = await conn.fetch("SELECT channel FROM outreach_deliveries ORDER BY channel")
    assert [r["channel"] for r in channels] == ["inbox", "sandbox"]


async def test_reached_concurrently_is_one_message(app, user_factory):
    buyer = await user_factory("buyer2")
    ids = await asyncio.gather(*(_say(_reach(buyer.id)) for _ in range(20)))
    assert len([i for i in ids if i is not None]) == 1
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outreach_messages") == 1
        assert (
            await conn.fetchval("SELECT count(*) FROM outreach_deliveries WHERE channel = 'inbox'")
            == 1
        )
