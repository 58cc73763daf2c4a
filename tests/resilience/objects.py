"""Objects owned by one user, one of each kind a path can name (policy.OBJECT_PARAMS):
the victim's for the authorization matrix, the attacker's own for mass assignment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.marketing.flash_support import owned_flash_sale
from tests.marketing.giveaway_support import owned_giveaway
from tests.marketing.group_support import owned_group
from tests.outreach.support import inbox_item as outreach_inbox_item
from tests.support import (
    TestUser,
    add_address,
    create_product,
    create_room,
    pay_through_sandbox,
    place_order,
)


async def owned_objects(
    client: httpx.AsyncClient, owner: TestUser, shop: TestUser
) -> dict[str, int]:
    """`owner` (a host) lists a product, buys one of `shop`'s, pays, asks for a refund and applies
    for a role.

    Returns {object kind: id}. A new kind (a room, a coupon) is one more entry here."""
    made: dict[str, Any] = {}
    made["product"] = (await create_product(client, owner, title=f"{owner.username}'s tea"))["id"]
    sku_id = (await create_product(client, shop, title=f"{shop.username} for {owner.username}"))[
        "skus"
    ][0]["id"]
    placed = await place_order(client, owner, sku_id)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    made["payment"] = (await pay_through_sandbox(client, owner, order_id))["payment"]["paymentId"]
    made["order"] = order_id
    refunded = await client.post(
        f"/api/orders/{order_id}/refund", json={"reason": "changed my mind"}, headers=owner.headers
    )
    assert refunded.status_code == 200, refunded.text
    made["refund"] = refunded.json()["refunds"][0]["id"]
    applied = await client.post(
        "/api/me/roles", json={"role": "distributor"}, headers=owner.headers
    )
    assert applied.status_code in (201, 202), applied.text
    made["role_application"] = applied.json()["id"]
    made["room"] = (await create_room(client, owner, title=f"{owner.username}'s room"))["id"]
    coupon = await client.post(
        f"/api/rooms/{made['room']}/coupons",
        json={
            "title": "10 off",
            "kind": "amount_off",
            "quota": 10,
            "amountOff": 100,
            "validMinutes": 60,
        },
        headers=owner.headers,
    )
    assert coupon.status_code == 201, coupon.text
    made["coupon"] = coupon.json()["id"]
    session = await client.post(
        f"/api/rooms/{made['room']}/sessions",
        json={
            "title": "Next week",
            "scheduledAt": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
        },
        headers=owner.headers,
    )
    assert session.status_code == 201, session.text
    made["session"] = session.json()["id"]
    made["address"] = (await add_address(client, owner))["id"]
    method = await client.post(
        "/api/host/payout-methods",
        json={"kind": "alipay", "accountName": owner.username, "accountNo": "13912345678"},
        headers=owner.headers,
    )
    assert method.status_code == 201, method.text
    made["payout_method"] = method.json()["id"]
    aide = await client.post(
        "/api/host/staff",
        json={"username": f"{owner.username}-aide", "password": "correct-horse-battery"},
        headers=owner.headers,
    )
    assert aide.status_code == 201, aide.text
    made["staff"] = aide.json()["userId"]
    tag = await client.post(
        "/api/host/tags", json={"name": "VIP", "colour": "#aa3300"}, headers=owner.headers
    )
    assert tag.status_code == 201, tag.text
    made["member_tag"] = tag.json()["id"]
    segment = await client.post(
        "/api/host/segments",
        json={"name": "big spenders", "filters": {"spendMin": 10000}},
        headers=owner.headers,
    )
    assert segment.status_code == 201, segment.text
    made["segment"] = segment.json()["id"]
    made["host"] = owner.id  # members: tiers (GET /api/hosts/{host_id}/membership)
    made["inbox_item"] = await outreach_inbox_item(owner.id, shop.id)  # outreach: an inbox item
    made["channel"] = "email"  # outreach: a channel name (POST /api/me/consents/{channel}/once)
    campaign = await client.post(
        "/api/host/outreach/campaigns",
        json={
            "segmentId": made["segment"],
            "title": "New tea",
            "body": "Tonight at eight",
            "linkKind": "room",
            "linkId": made["room"],
        },
        headers=owner.headers,
    )
    assert campaign.status_code == 201, campaign.text
    made["campaign"] = campaign.json()["id"]  # outreach: a host's one-off message
    made["giveaway"] = await owned_giveaway(owner.id, made["room"], made["coupon"])  # 福袋
    made["group_buy"] = await owned_group(owner.id, made["product"])  # 拼团: the owner leads it
    made["flash_sale"] = await owned_flash_sale(owner.id, made["room"], made["product"])  # 秒杀
    return made
