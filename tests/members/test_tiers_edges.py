"""Tiers rise at once on payment and fall only at the window's edge, by the worker's job; a job
run twice or late changes nothing more.

Time is moved by giving the edge job a later `now` (the growth rows keep their real times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from livecommerce.domains.members import tiers
from livecommerce.domains.members.tier_rules import Window, next_edge
from tests.members.tiers_support import buy, member, refund_all, set_ladder, sku_of, standing


async def test_a_payment_upgrades_at_once_a_refund_does_not_downgrade_the_month_edge_does(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "month")
    order = await buy(client, buyer, await sku_of(client, host, 150_00))

    assert (await member(host, buyer))["tier_code"] == "silver"  # at once, in the paid hook
    card = await standing(client, buyer, host)
    assert (card["tier"]["name"], card["nextTier"]["name"]) == ("银卡", "金卡")
    assert (card["windowGrowth"], card["toUpgrade"], card["toKeep"]) == (150_00, 350_00, 0)

    await refund_all(client, host, buyer, order["id"])
    assert (await member(host, buyer))["tier_code"] == "silver"  # a refund never downgrades
    card = await standing(client, buyer, host)
    assert (card["windowGrowth"], card["toKeep"]) == (0, 100_00)  # 再消费 ¥100 保级

    # The job within the month: the tier was earned in this window, nothing changes.
    assert await tiers.evaluate_host(host.id) == 0
    assert (await member(host, buyer))["tier_code"] == "silver"

    # At the next month's edge, the month that closed earned nothing: the tier falls.
    window = Window("month", None, "Asia/Shanghai")
    edge = next_edge(window, datetime.now(UTC))
    assert await tiers.evaluate_host(host.id, now=edge + timedelta(hours=1)) == 1
    assert (await member(host, buyer))["tier_code"] == "normal"
    # Twice, or a day late in the same month: nothing more.
    assert await tiers.evaluate_host(host.id, now=edge + timedelta(hours=1)) == 0
    assert await tiers.evaluate_host(host.id, now=edge + timedelta(days=1)) == 0


async def test_a_rolling_window_keeps_the_tier_while_the_growth_is_in_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "days", days=30)
    sku = await sku_of(client, host, 600_00)
    await buy(client, buyer, sku)
    assert (await member(host, buyer))["tier_code"] == "gold"  # past silver, at once

    small = await sku_of(client, host, 1_00)
    await buy(client, buyer, small)
    assert (await member(host, buyer))["tier_code"] == "gold"  # a payment never lowers it

    now = datetime.now(UTC)
    assert await tiers.evaluate_host(host.id, now=now + timedelta(days=10)) == 0
    assert (await member(host, buyer))["tier_code"] == "gold"
    # 31 days on, both payments have left the 30-day window the edge closes.
    assert await tiers.evaluate_host(host.id, now=now + timedelta(days=31)) == 1
    assert (await member(host, buyer))["tier_code"] == "normal"
    assert await tiers.evaluate_host(host.id, now=now + timedelta(days=31, hours=5)) == 0


async def test_all_time_a_refund_lowers_the_tier_at_the_next_midnight_only(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "all")
    order = await buy(client, buyer, await sku_of(client, host, 150_00))
    assert (await member(host, buyer))["tier_code"] == "silver"
    await refund_all(client, host, buyer, order["id"])
    assert await tiers.evaluate_host(host.id) == 0
    assert (await member(host, buyer))["tier_code"] == "silver"
    assert await tiers.evaluate_host(host.id, now=datetime.now(UTC) + timedelta(days=1)) == 1
    assert (await member(host, buyer))["tier_code"] == "normal"


async def test_a_late_job_keeps_an_upgrade_made_after_the_edge_even_once_refunded(
    client: httpx.AsyncClient, user_factory
) -> None:
    """The job runs late: a member upgraded since the edge earned that tier in the new window,
    and a refund since must not take it away before the next edge."""
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await set_ladder(client, host, "month")
    order = await buy(client, buyer, await sku_of(client, host, 600_00))
    await refund_all(client, host, buyer, order["id"])
    assert await tiers.evaluate_host(host.id) == 0
    assert (await member(host, buyer))["tier_code"] == "gold"


async def test_members_who_bought_before_the_ladder_get_their_tier_from_the_job(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    await buy(client, buyer, await sku_of(client, host, 600_00))
    assert (await member(host, buyer))["tier_code"] == ""
    await set_ladder(client, host, "all")
    assert await tiers.evaluate_host(host.id) == 1
    assert (await member(host, buyer))["tier_code"] == "gold"
    # A new ladder is evaluated again, both ways.
    higher = [{"code": "normal", "name": "普通", "threshold": 0}]
    higher.append({"code": "vip", "name": "VIP", "threshold": 1000_00})
    await set_ladder(client, host, "all", tiers=higher)
    assert await tiers.evaluate_host(host.id) == 1
    assert (await member(host, buyer))["tier_code"] == "normal"
