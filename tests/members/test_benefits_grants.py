"""Benefits are granted exactly once per (member, benefit, period): the grant job run twice at
once, then again a day late in the same period, grants each member one voucher copy (through the
coupon engine) and one member-day red packet (through the ledger), and nothing more."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from livecommerce.domains.members import benefit_grants, member_packets
from livecommerce.infra import db
from tests.members.tiers_support import buy, set_ladder, sku_of, standing
from tests.promotions.support import balance, fund
from tests.support import TestUser, create_room, ledger_state

SH = ZoneInfo("Asia/Shanghai")
PACKET = 8_88


async def _voucher(client: httpx.AsyncClient, host: TestUser, **terms: object) -> int:
    room = await create_room(client, host, title="会员专享")
    made = await client.post(
        f"/api/rooms/{room['id']}/coupons",
        json={
            "title": "会员月券",
            "kind": "amount_off",
            "amountOff": 10_00,
            "quota": 100,
            "perUserLimit": 12,
            "validMinutes": 60 * 24 * 30,
            **terms,
        },
        headers=host.headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def _counts(host: TestUser) -> dict[str, int]:
    async with db.connection() as conn:
        return {
            "grants": await conn.fetchval("SELECT count(*) FROM benefit_grants"),
            "copies": await conn.fetchval("SELECT count(*) FROM user_coupons"),
            "issued": await conn.fetchval("SELECT COALESCE(SUM(issued), 0) FROM coupons"),
            "packets": await conn.fetchval("SELECT count(*) FROM member_packets"),
            "per_member_max": await conn.fetchval(
                "SELECT COALESCE(MAX(n), 0) FROM (SELECT count(*) AS n FROM benefit_grants"
                " GROUP BY member_id, benefit_id) t"
            ),
        }


def _late(now: datetime) -> datetime:
    """A day later in the same month (on the month's last day, later the same day)."""
    tomorrow = now + timedelta(days=1)
    same_month = tomorrow.astimezone(SH).month == now.astimezone(SH).month
    return tomorrow if same_month else now + timedelta(hours=1)


async def test_a_grant_job_run_twice_at_once_and_a_day_late_grants_once_per_period(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyers = [await user_factory(f"buyer{i}") for i in range(3)]
    await set_ladder(client, host, "month")
    sku = await sku_of(client, host, 150_00)
    for buyer in buyers:
        await buy(client, buyer, sku)
    await fund(host, 100_00)
    coupon_id = await _voucher(client, host)
    today = datetime.now(UTC).astimezone(SH).day
    saved = await client.put(
        "/api/host/benefits",
        json={
            "benefits": [
                {"tierCode": "silver", "kind": "voucher", "couponId": coupon_id},
                {
                    "tierCode": "silver",
                    "kind": "red_packet",
                    "amount": PACKET,
                    "rule": f"FREQ=MONTHLY;BYMONTHDAY={today}",
                },
            ]
        },
        headers=host.headers,
    )
    assert saved.status_code == 200, saved.text

    runs = await asyncio.gather(*(benefit_grants.grant_due() for _ in range(3)))
    assert sum(r.granted for r in runs) == 6  # 3 members × 2 benefits, whichever run gave them
    once = {"grants": 6, "copies": 3, "issued": 3, "packets": 3, "per_member_max": 1}
    assert await _counts(host) == once
    assert (await benefit_grants.grant_due()).granted == 0  # again
    assert (await benefit_grants.grant_due(_late(datetime.now(UTC)))).granted == 0  # late
    assert await _counts(host) == once
    assert await balance(host) == 100_00 - 3 * PACKET
    assert (await ledger_state()).problems == []

    # The member opens their packet once; the card shows it until then.
    card = await standing(client, buyers[0], host)
    assert (card["sealedPackets"], card["sealedAmount"]) == (1, PACKET)
    assert {b["kind"] for b in card["benefits"]} == {"voucher", "red_packet"}
    opened = await client.post(
        f"/api/hosts/{host.id}/membership/packets/open", headers=buyers[0].headers
    )
    assert opened.json() == {"opened": 1, "amount": PACKET}
    again = await client.post(
        f"/api/hosts/{host.id}/membership/packets/open", headers=buyers[0].headers
    )
    assert again.json() == {"opened": 0, "amount": 0}
    assert await balance(buyers[0]) == PACKET
    mine = await client.get("/api/me/coupons", headers=buyers[0].headers)
    assert [c["couponId"] for c in mine.json()["items"]] == [coupon_id]

    # Unopened by the expiry, the others go back to the host, once.
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE member_packets SET expires_at = now() - interval '1 second'"
            " WHERE status = 'sealed'"
        )
    assert await member_packets.return_expired() == 2
    assert await member_packets.return_expired() == 0
    assert await balance(host) == 100_00 - PACKET
    assert (await ledger_state()).problems == []


async def test_a_grant_the_engine_refuses_is_not_recorded_and_a_later_run_may_give_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    """A host's wallet too short for the member-day packet: nothing granted, nothing recorded;
    once funded, the next run in the same period grants it, once."""
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "month")
    await buy(client, buyer, await sku_of(client, host, 150_00))
    today = datetime.now(UTC).astimezone(SH).day
    saved = await client.put(
        "/api/host/benefits",
        json={
            "benefits": [
                {
                    "tierCode": "silver",
                    "kind": "red_packet",
                    "amount": PACKET,
                    "rule": f"FREQ=MONTHLY;BYMONTHDAY={today}",
                }
            ]
        },
        headers=host.headers,
    )
    assert saved.status_code == 200, saved.text
    short = await benefit_grants.grant_due()
    assert (short.granted, short.refused) == (0, 1)
    assert (await _counts(host))["grants"] == 0
    await fund(host, PACKET)
    assert (await benefit_grants.grant_due()).granted == 1
    assert (await benefit_grants.grant_due()).granted == 0
    assert await balance(host) == 0
