"""Member day and tier change reach the member once per period: a payment that raises the tier,
the edge job run twice at once and late, the member-day grant run twice at once and late."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from livecommerce.domains.members import benefit_grants, tiers
from livecommerce.domains.members.hooks import TierChange
from livecommerce.domains.outreach import journey_members
from livecommerce.infra import db
from livecommerce.settings import load_settings
from livecommerce.wiring import wire
from tests.members.tiers_support import age, buy, member, set_ladder, sku_of
from tests.outreach.journey_support import messages, set_journeys
from tests.promotions.support import fund

SH = ZoneInfo("Asia/Shanghai")
HOOKS = wire(load_settings({"ENV": "test"})).members


async def test_a_tier_change_is_said_once_per_tier_and_day(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "month")
    sku = await sku_of(client, host, 150_00)
    await buy(client, buyer, sku)  # 150 yuan: silver, raised by the payment (OrderHooks.paid)
    small = await user_factory("small")
    await buy(client, small, await sku_of(client, host, 50_00))  # the free tier: no news
    assert (await member(host, small))["tier_code"] == "normal"
    said = await messages("tier_change")
    today = datetime.now(UTC).astimezone(SH).date().isoformat()
    assert [(m["user_id"], m["period"]) for m in said] == [
        (buyer.id, f"tier:{host.id}:silver:{today}")
    ]
    # Told again of the same change (a retried hook, a second run): nothing more.
    row = await member(host, buyer)
    change = TierChange(host.id, buyer.id, row["id"], "normal", "silver", "银卡")
    for _ in range(2):
        async with db.transaction() as tx:
            await journey_members.on_tier_changed(tx, change)
    assert len(await messages("tier_change")) == 1
    async with db.connection() as conn:
        message = await conn.fetchrow("SELECT * FROM outreach_messages")
        assert await journey_members.still_holds_tier(conn, message) is True

    # A month later the window rolled: the edge job, twice at once then late, lowers the tier
    # once and says it once.
    await age(host, buyer, 40)
    later = datetime.now(UTC) + timedelta(days=1)
    runs = await asyncio.gather(
        tiers.evaluate_host(host.id, now=later, hooks=HOOKS),
        tiers.evaluate_host(host.id, now=later, hooks=HOOKS),
    )
    assert sum(runs) == 1
    assert await tiers.evaluate_host(host.id, now=later + timedelta(hours=2), hooks=HOOKS) == 0
    said = await messages("tier_change")
    assert len(said) == 2
    assert said[1]["period"] == f"tier:{host.id}:normal:{today}"
    async with db.connection() as conn:
        # The silver message is no longer true (the re-check before sending).
        assert await journey_members.still_holds_tier(conn, message) is False


async def test_a_switched_off_tier_change_says_nothing(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "month")
    off = await set_journeys(client, host, {"journey": "tier_change", "enabled": False})
    assert off.status_code == 200, off.text
    await buy(client, buyer, await sku_of(client, host, 150_00))
    assert (await member(host, buyer))["tier_code"] == "silver"
    assert await messages("tier_change") == []


async def test_member_day_is_said_once_per_member_day(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyers = [await user_factory(f"buyer{i}") for i in range(2)]
    await set_ladder(client, host, "month")
    sku = await sku_of(client, host, 150_00)
    for buyer in buyers:
        await buy(client, buyer, sku)
    await fund(host, 100_00)
    today = datetime.now(UTC).astimezone(SH)
    saved = await client.put(
        "/api/host/benefits",
        json={
            "benefits": [
                {
                    "tierCode": "silver",
                    "kind": "red_packet",
                    "amount": 8_88,
                    "rule": f"FREQ=MONTHLY;BYMONTHDAY={today.day}",
                }
            ]
        },
        headers=host.headers,
    )
    assert saved.status_code == 200, saved.text
    runs = await asyncio.gather(*(benefit_grants.grant_due(hooks=HOOKS) for _ in range(2)))
    assert sum(r.granted for r in runs) == 2
    assert (
        await benefit_grants.grant_due(datetime.now(UTC) + timedelta(hours=1), HOOKS)
    ).granted == 0
    said = await messages("member_day")
    period = f"host:{host.id}:{today.date().isoformat()}"
    assert [(m["user_id"], m["period"]) for m in said] == [(b.id, period) for b in buyers]
    # Re-check: the packet is there to open; once opened, the message is no longer true.
    async with db.connection() as conn:
        message = await conn.fetchrow(
            "SELECT * FROM outreach_messages WHERE user_id = $1 AND journey = 'member_day'",
            buyers[0].id,
        )
        assert await journey_members.packet_still_sealed(conn, message) is True
    opened = await client.post(
        f"/api/hosts/{host.id}/membership/packets/open", headers=buyers[0].headers
    )
    assert opened.json()["opened"] == 1
    async with db.connection() as conn:
        assert await journey_members.packet_still_sealed(conn, message) is False
