"""The customer 360 gathers the host's own figures of one person; notes and the follow-up
status (with a history that chains from → to, also under concurrent changes); the CSV export of
a segment opens in Excel (BOM) and runs no formula."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
from datetime import UTC, datetime, timedelta

import httpx

from livecommerce.infra import db
from tests.members.crm_support import no_stray_events
from tests.support import (
    TestUser,
    create_product,
    create_room,
    pay_through_sandbox,
    place_order,
)


async def _paid(client: httpx.AsyncClient, buyer: TestUser, sku_id: int, quantity: int = 1) -> int:
    placed = await place_order(client, buyer, sku_id, quantity)
    assert placed.status_code == 201, placed.text
    await pay_through_sandbox(client, buyer, placed.json()["id"])
    return int(placed.json()["id"])


async def test_the_360_shows_the_hosts_own_figures_of_a_buyer(
    client: httpx.AsyncClient, user_factory
) -> None:
    await no_stray_events()
    host = await user_factory("shop", ["host"])
    other = await user_factory("othershop", ["host"])
    buyer = await user_factory("buyer")
    distributor = await user_factory("dist", ["distributor"])
    tea = await create_product(client, host, price=1200, stock=50, title="Tea")
    elsewhere = await create_product(client, other, price=9900, title="Elsewhere")
    first = await _paid(client, buyer, tea["skus"][0]["id"], 2)
    second = await _paid(client, buyer, tea["skus"][0]["id"])
    await _paid(client, buyer, elsewhere["skus"][0]["id"])  # another host's: not shown
    room = await create_room(client, host, title="Tea room")
    coupon = await client.post(
        f"/api/rooms/{room['id']}/coupons",
        json={
            "title": "减5元",
            "kind": "amount_off",
            "quota": 5,
            "amountOff": 500,
            "validMinutes": 60,
            "drop": True,
        },
        headers=host.headers,
    )
    claimed = await client.post(f"/api/coupons/{coupon.json()['id']}/claim", headers=buyer.headers)
    assert claimed.status_code in (200, 201), claimed.text
    now = datetime.now(UTC)
    async with db.connection() as conn:
        rows = [
            (now - timedelta(days=2), "room_enter", room["id"], None, None),
            (now - timedelta(days=2) + timedelta(minutes=5), "room_leave", room["id"], None, 300),
            (now - timedelta(days=1), "room_enter", room["id"], None, None),
            (now - timedelta(days=1) + timedelta(minutes=2), "room_leave", room["id"], None, 120),
            (now - timedelta(days=3), "product_view", None, tea["id"], None),
            (now - timedelta(days=1), "product_view", None, tea["id"], None),
        ]
        for at, kind, room_id, product_id, seconds in rows:
            await conn.execute(
                "INSERT INTO behaviour_events (occurred_at, kind, user_id, host_id, room_id,"
                " product_id, watch_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                at,
                kind,
                buyer.id,
                host.id,
                room_id,
                product_id,
                seconds,
            )
        await conn.execute(
            "INSERT INTO referral_bindings (buyer_id, distributor_id, source, mode)"
            " VALUES ($1, $2, 'link', 'first_touch')",
            buyer.id,
            distributor.id,
        )

    seen = await client.get(f"/api/host/members/{buyer.id}", headers=host.headers)
    assert seen.status_code == 200, seen.text
    view = seen.json()
    assert view["displayName"] == "Buyer"
    assert view["member"]["lifetimeSpend"] == 3600 and view["member"]["paidOrders"] == 2
    assert view["member"]["averageOrderValue"] == 1800
    assert [o["id"] for o in view["orders"]] == [second, first]
    assert sum(g["amount"] for g in view["growth"]) == 3600
    assert view["rooms"] == [
        {
            "roomId": room["id"],
            "title": "Tea room",
            "visits": 2,
            "watchSeconds": 420,
            "lastAt": view["rooms"][0]["lastAt"],
        }
    ]
    assert view["watchSeconds"] == 420
    assert view["productsViewed"][0]["views"] == 2 and view["productsViewed"][0]["bought"]
    assert view["coupons"]["held"] == 1 and view["coupons"]["items"][0]["title"] == "减5元"
    assert view["points"] == {"available": 0, "frozen": 0}
    assert view["distributor"]["boundTo"]["userId"] == distributor.id
    assert view["followUp"]["status"] == "todo" and view["followUp"]["history"] == []
    # The other host's view of the same person is theirs alone.
    theirs = await client.get(f"/api/host/members/{buyer.id}", headers=other.headers)
    assert theirs.json()["member"]["lifetimeSpend"] == 9900
    assert theirs.json()["rooms"] == [] and theirs.json()["coupons"]["held"] == 0
    # Someone who never dealt with the host is 404, as is an id that does not exist.
    assert (
        await client.get(f"/api/host/members/{distributor.id}", headers=host.headers)
    ).status_code == 404
    assert (await client.get("/api/host/members/99999", headers=host.headers)).status_code == 404


async def test_notes_and_follow_up_history_chain_under_concurrent_changes(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("shop", ["host"])
    buyer = await user_factory("buyer")
    tea = await create_product(client, host, price=1000, title="Tea")
    await _paid(client, buyer, tea["skus"][0]["id"])
    url = f"/api/host/members/{buyer.id}"
    note = await client.post(f"{url}/notes", json={"body": "喜欢乌龙"}, headers=host.headers)
    assert note.status_code == 201 and note.json()["authorName"] == "Shop"
    blank = await client.post(f"{url}/notes", json={"body": "   "}, headers=host.headers)
    assert blank.status_code == 400
    assert (
        await client.put(f"{url}/follow-up", json={"status": "todo"}, headers=host.headers)
    ).json()["history"] == []  # the status it has: nothing to record
    bad = await client.put(f"{url}/follow-up", json={"status": "maybe"}, headers=host.headers)
    assert bad.status_code == 400

    statuses = ["in_progress", "won", "lost", "todo"] * 5
    async with asyncio.TaskGroup() as group:
        for status in statuses:
            group.create_task(
                client.put(f"{url}/follow-up", json={"status": status}, headers=host.headers)
            )
    final = (await client.get(url, headers=host.headers)).json()["followUp"]
    history = list(reversed(final["history"]))  # oldest first
    assert history and history[0]["fromStatus"] == "todo"
    for before, after in itertools.pairwise(history):
        assert after["fromStatus"] == before["toStatus"]
    assert all(h["fromStatus"] != h["toStatus"] for h in history)
    assert history[-1]["toStatus"] == final["status"]
    assert all(h["actorName"] == "Shop" for h in history)


async def test_the_segment_csv_has_a_bom_chinese_headers_and_no_formulas(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("shop", ["host"])
    tricky = await user_factory("tricky")
    chinese = await user_factory("chinese")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE users SET display_name = $2 WHERE id = $1",
            tricky.id,
            '=HYPERLINK("http://evil.example","点我")',
        )
        await conn.execute("UPDATE users SET display_name = '张三' WHERE id = $1", chinese.id)
    tea = await create_product(client, host, price=1234, title="Tea")
    for buyer in (tricky, chinese):
        await _paid(client, buyer, tea["skus"][0]["id"])
    tag = await client.post("/api/host/tags", json={"name": "+1 fan"}, headers=host.headers)
    await client.post(
        f"/api/host/members/{tricky.id}/tags",
        json={"tagId": tag.json()["id"]},
        headers=host.headers,
    )
    segment = await client.post(
        "/api/host/segments", json={"name": "all", "filters": {}}, headers=host.headers
    )
    exported = await client.get(
        f"/api/host/segments/{segment.json()['id']}/export", headers=host.headers
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["用户ID", "用户名", "昵称"]
    by_id = {int(r[0]): r for r in rows[1:]}
    assert set(by_id) == {tricky.id, chinese.id}
    assert by_id[chinese.id][2] == "张三" and by_id[chinese.id][4] == "12.34"
    assert by_id[tricky.id][2] == "'" + '=HYPERLINK("http://evil.example","点我")'
    assert by_id[tricky.id][7] == "'+1 fan"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
    english = await client.get(
        f"/api/host/segments/{segment.json()['id']}/export",
        params={"lang": "en"},
        headers=host.headers,
    )
    assert english.content.decode("utf-8-sig").startswith("User id,Username,Name")
