"""GET /api/host/outreach/results and a campaign's results: a campaign's messages are counted
through sent, delivered, opened and clicked; the order its member paid afterwards (a real order,
paid on the sandbox gateway) is credited to it with its sales, by journey, by campaign and on
the day it was paid; an order by someone not messaged is not; another host sees none of it."""

from __future__ import annotations

from livecommerce.domains.outreach import config
from livecommerce.infra import db
from tests.outreach.campaign_support import create_campaign, deliver_campaign, shop_with_members
from tests.support import create_product, pay_through_sandbox, place_order, problem_code

URL = "/api/host/outreach/results"


async def _buy(client, buyer, sku_id: int) -> dict:
    placed = await place_order(client, buyer, sku_id)
    assert placed.status_code == 201, placed.text
    await pay_through_sandbox(client, buyer, placed.json()["id"])
    return dict(placed.json())


async def test_a_campaign_is_credited_with_the_order_that_followed_it(client, user_factory):
    shop = await shop_with_members(client, user_factory, "res", 3)
    reader, clicker, buyer = shop.members
    stranger = await user_factory("res_stranger")
    product = await create_product(client, shop.host, price=2500, stock=10)
    sku_id = product["skus"][0]["id"]
    previous = config.use(quiet_hours="off")
    try:
        made = await create_campaign(client, shop)
        outcomes = await deliver_campaign(made["id"])
    finally:
        config.use(previous)
    assert "delivered" in outcomes.values()
    async with db.connection() as conn:
        # What the inbox page and the tracked link record (outreach/inbox.py, the /o/ route).
        await conn.execute(
            "UPDATE outreach_deliveries SET opened_at = now() WHERE channel = 'inbox'"
            " AND user_id = ANY($1::int[])",
            [reader.id, clicker.id],
        )
        await conn.execute(
            "UPDATE outreach_deliveries SET clicked_at = now() WHERE channel = 'inbox'"
            " AND user_id = $1",
            clicker.id,
        )
    order = await _buy(client, buyer, sku_id)
    await _buy(client, stranger, sku_id)  # never messaged: follows nothing

    got = await client.get(URL, params={"days": 7}, headers=shop.host.headers)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["attributionDays"] == 7 and len(body["byDay"]) == 7
    journeys = {j["journey"]: j for j in body["journeys"]}
    assert set(journeys) == {
        "reminder",
        "repurchase",
        "viewed_not_bought",
        "member_day",
        "tier_change",
        "broadcast",
    }
    funnel = {k: journeys["broadcast"][k] for k in ("messages", "sent", "delivered", "opened")}
    assert funnel == {"messages": 3, "sent": 3, "delivered": 3, "opened": 2}
    assert (journeys["broadcast"]["clicked"], journeys["broadcast"]["orders"]) == (1, 1)
    assert journeys["broadcast"]["sales"] == order["payAmount"] == 2500
    assert journeys["reminder"]["messages"] == 0
    assert body["total"]["orders"] == 1 and body["total"]["sales"] == 2500
    [campaign] = body["campaigns"]
    assert (campaign["campaignId"], campaign["orders"], campaign["sales"]) == (made["id"], 1, 2500)
    today = body["byDay"][-1]
    assert (today["sent"], today["orders"], today["sales"]) == (3, 1, 2500)
    assert sum(d["orders"] for d in body["byDay"]) == 1

    shown = await client.get(
        f"/api/host/outreach/campaigns/{made['id']}", headers=shop.host.headers
    )
    assert shown.json()["results"]["orders"] == 1
    assert shown.json()["results"]["clicked"] == 1

    other = await user_factory("res_other", ["host"])
    theirs = (await client.get(URL, headers=other.headers)).json()
    assert theirs["total"]["messages"] == 0 and theirs["campaigns"] == []


async def test_the_period_is_checked_and_only_hosts_and_staff_read_results(client, user_factory):
    host = await user_factory("period_host", ["host"])
    for days in (0, 93, -1):
        bad = await client.get(URL, params={"days": days}, headers=host.headers)
        assert bad.status_code == 400 and problem_code(bad) == "validation_error"
    viewer = await user_factory("period_viewer")
    assert (await client.get(URL, headers=viewer.headers)).status_code == 403
    assert (await client.get(URL)).status_code == 401
