"""A host console that reloads gets its chat, order feed and online curve back from the API."""

from __future__ import annotations

import json
import time

from livecommerce.domains.live import jobs
from tests import cluster_mode
from tests.live.conftest import event_of, joined
from tests.live.test_session_report import buy
from tests.support import go_live, live_room_with_product


async def chat_of(client, user, room_id: int, **params) -> list[dict]:
    response = await client.get(f"/api/rooms/{room_id}/chat", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_console_gets_its_chat_orders_and_online_curve_back_after_a_reload(
    client, user_factory, room_url, migrated
) -> None:
    host = await user_factory("host", ["host"])
    fan = await user_factory("fan")
    room, product = await live_room_with_product(client, host, price=1990, title="Oolong")
    session = (await client.get(f"/api/rooms/{room['id']}")).json()["session"]
    async with (
        joined(room_url(room["id"]), host) as (console, _),
        joined(room_url(room["id"]), fan) as (ws, _),
    ):
        for text in ("hello", "is it spring tea?", "spam spam"):
            await ws.send(json.dumps({"type": "chat", "text": text}))
            await event_of(console, "chat", text=text)
        await console.send(json.dumps({"type": "chat", "text": "yes, picked in April"}))
        spam = await event_of(console, "chat", text="yes, picked in April")
        lines = await chat_of(client, host, room["id"])
        spam_id = next(line["id"] for line in lines if line["text"] == "spam spam")
        deleted = await client.post(
            f"/api/rooms/{room['id']}/moderation",
            json={"action": "delete_message", "messageId": spam_id},
            headers=host.headers,
        )
        assert deleted.status_code == 200, deleted.text
        order = await buy(client, fan, product["skus"][0]["id"], room["id"], quantity=2)
        await event_of(console, "purchase")
        # The worker's checkpoint (every 10 s) samples the online curve.
        redis = cluster_mode.connect(migrated.redis_url)
        try:
            assert await jobs.checkpoint_live_sessions({"redis": redis}) == 1
        finally:
            await redis.aclose()

    # The console reloads: everything comes from the API.
    lines = await chat_of(client, host, room["id"])
    assert [(line["name"], line["text"]) for line in lines] == [
        ("Fan", "hello"),
        ("Fan", "is it spring tea?"),
        ("Host", "yes, picked in April"),
    ]
    assert lines[-1]["priority"] is True and lines[-1]["id"] == spam["id"]
    assert [line["text"] for line in await chat_of(client, host, room["id"], limit=1)] == [
        "yes, picked in April"
    ]

    feed = await client.get(f"/api/sessions/{session['id']}/orders", headers=host.headers)
    assert feed.status_code == 200, feed.text
    [paid] = feed.json()
    assert (paid["id"], paid["product"], paid["quantity"], paid["payAmount"]) == (
        order["id"],
        "Oolong",
        2,
        3980,
    )
    assert paid["buyer"] != "Fan" and paid["buyer"].startswith("F")  # masked
    assert paid["paidAt"] is not None

    series = await client.get(f"/api/sessions/{session['id']}/series", headers=host.headers)
    assert series.status_code == 200, series.text
    curve = series.json()
    assert len(curve["t"]) >= 1 and max(curve["online"]) >= 1
    assert (curve["orders"][-1], curve["gmv"][-1]) == (1, 3980)
    # uPlot's x axis is in seconds: a sample is within a minute of now, not in 2029.
    assert abs(curve["t"][-1] - time.time()) < 60


async def test_a_new_session_starts_with_an_empty_chat_and_strangers_read_none(
    client, user_factory, room_url
) -> None:
    host = await user_factory("host", ["host"])
    fan = await user_factory("fan")
    room, _ = await live_room_with_product(client, host)
    async with joined(room_url(room["id"]), fan) as (ws, _):
        await ws.send(json.dumps({"type": "chat", "text": "first session"}))
        await event_of(ws, "chat", text="first session")
    assert [line["text"] for line in await chat_of(client, host, room["id"])] == ["first session"]
    assert (await client.get(f"/api/rooms/{room['id']}/chat")).status_code == 401
    assert (
        await client.get(f"/api/rooms/{room['id']}/chat", headers=fan.headers)
    ).status_code == 404
    assert (await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)).is_success
    await go_live(client, host, room["id"])
    assert await chat_of(client, host, room["id"]) == []
