"""The room hears of group buys: the join snapshot's `groupBuys` (the showcase's group terms and
open groups), and a priority `group_buy` event when a group opened in the room opens and fills."""

from __future__ import annotations

from typing import Any

from tests.live.conftest import joined
from tests.marketing.group_support import join_group, open_group, pay_wallet
from tests.promotions.support import fund
from tests.support import live_room_with_product, next_frame


async def group_event(ws: Any, what: str, group_id: int) -> dict[str, Any]:
    def wanted(e: dict[str, Any]) -> bool:
        return e["type"] == "group_buy" and e["kind"] == what and e["groupId"] == group_id

    frame = await next_frame(ws, where=lambda f: any(map(wanted, f.get("events", []))))
    return next(e for e in frame["events"] if wanted(e))


async def test_the_room_shows_group_terms_and_hears_a_group_open_and_fill(
    live, client, user_factory
):
    host = await user_factory("host", ["host"])
    room, product = await live_room_with_product(client, host, price=1000)
    sku_id = product["skus"][0]["id"]
    offered = await client.put(
        f"/api/products/{product['id']}/group-buy",
        json={"groupSize": 2, "hours": 6, "prices": [{"skuId": sku_id, "price": 750}]},
        headers=host.headers,
    )
    assert offered.status_code == 200, offered.text
    leader, member = await user_factory("leader"), await user_factory("member")
    for user in (leader, member):
        await fund(user, 5_000)
    url = f"{live.ws_url}/ws/rooms/{room['id']}"
    async with joined(url, leader) as (ws, snapshot):
        (terms,) = snapshot["payload"]["groupBuys"]
        assert terms["productId"] == product["id"] and terms["groupSize"] == 2
        assert terms["prices"] == [
            {"skuId": sku_id, "skuName": "default", "price": 750, "listPrice": 1000}
        ]
        assert terms["openGroups"] == []
        placed = (await open_group(client, leader, sku_id, roomId=room["id"])).json()
        assert (await pay_wallet(client, leader, placed["order"]["id"])).status_code == 200
        opened = await group_event(ws, "opened", placed["groupId"])
        assert opened["priority"] is True and opened["paidCount"] == 1
        joining = (await join_group(client, member, placed["groupId"], sku_id)).json()
        assert (await pay_wallet(client, member, joining["order"]["id"])).status_code == 200
        full = await group_event(ws, "succeeded", placed["groupId"])
        assert full["status"] == "succeeded" and full["paidCount"] == 2
