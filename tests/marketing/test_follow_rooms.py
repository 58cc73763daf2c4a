"""关注: following a room is unique per (room, user), also under concurrency; the count is in the
room's detail and its snapshot; followers are readable for outreach; a follow completes a
giveaway's follow task."""

from __future__ import annotations

import asyncio

from livecommerce.domains.live import follows
from livecommerce.domains.marketing import giveaway_room
from livecommerce.infra import db
from tests.live.conftest import joined
from tests.live.conftest import room_url as room_url  # fixtures of the room tests
from tests.live.conftest import rooms_left as rooms_left
from tests.marketing.giveaway_support import live_room, start
from tests.support import create_room


async def test_a_follow_is_once_per_user_even_all_at_once(client, user_factory, room_url) -> None:
    host = await user_factory("host", ["host"])
    fans = [await user_factory(f"fan{i}") for i in range(12)]
    room = await create_room(client, host)
    url = f"/api/rooms/{room['id']}/follow"
    answers = await asyncio.gather(
        *(client.post(url, headers=fan.headers) for fan in fans for _ in range(3))
    )
    assert {r.status_code for r in answers} == {200}
    assert (await client.get(f"/api/rooms/{room['id']}")).json()["followers"] == 12
    again = await client.post(url, headers=fans[0].headers)
    assert again.json() == {"roomId": room["id"], "following": True, "followers": 12}
    gone = await client.delete(url, headers=fans[0].headers)
    assert gone.json() == {"roomId": room["id"], "following": False, "followers": 11}
    async with db.connection() as conn:
        assert await follows.followers_of(conn, room["id"]) == sorted(f.id for f in fans[1:])
        assert await follows.followers_of(conn, room["id"], after_user_id=fans[5].id, limit=3) == [
            fans[6].id,
            fans[7].id,
            fans[8].id,
        ]
    async with joined(room_url(room["id"]), fans[1]) as (_, snap):
        assert snap["payload"]["follow"] == {"followers": 11, "following": True}
    async with joined(room_url(room["id"]), fans[0]) as (_, snap):
        assert snap["payload"]["follow"] == {"followers": 11, "following": False}


async def test_guests_cannot_follow_and_unknown_rooms_are_404(client, user_factory) -> None:
    fan = await user_factory("fan")
    assert (await client.post("/api/rooms/1/follow")).status_code == 401
    assert (await client.post("/api/rooms/999/follow", headers=fan.headers)).status_code == 404


async def test_following_completes_a_giveaways_follow_task(client, user_factory) -> None:
    giveaway_room.forget_all()
    host, fan = await user_factory("host", ["host"]), await user_factory("fan")
    room_id = await live_room(client, host)
    giveaway = (await start(client, host, room_id, requireFollow=True)).json()
    me = f"/api/giveaways/{giveaway['id']}/me"
    before = (await client.get(me, headers=fan.headers)).json()
    assert before["followed"] is False and before["entered"] is False
    assert (
        await client.post(f"/api/rooms/{room_id}/follow", headers=fan.headers)
    ).status_code == 200
    async with db.connection() as conn:  # entered by the follow itself, before anyone asks
        entered = await conn.fetchval(
            "SELECT entered_at IS NOT NULL FROM giveaway_entries WHERE user_id = $1", fan.id
        )
    assert entered is True
    after = (await client.get(me, headers=fan.headers)).json()
    assert after["followed"] is True and after["entered"] is True


async def test_followers_hear_when_the_room_goes_live_once_each(client, user_factory) -> None:
    from livecommerce.domains.outreach import journey_reminder
    from tests.outreach.journey_support import messages, schedule
    from tests.support import go_live

    host = await user_factory("host", ["host"])
    follower, both, bystander = (
        await user_factory("follower"),
        await user_factory("both"),
        await user_factory("bystander"),
    )
    room = await create_room(client, host)
    session = await schedule(client, host, room["id"])
    for fan in (follower, both):
        assert (
            await client.post(f"/api/rooms/{room['id']}/follow", headers=fan.headers)
        ).status_code == 200
    asked = await client.post(f"/api/sessions/{session['id']}/reminders", headers=both.headers)
    assert asked.status_code == 200, asked.text
    await go_live(client, host, room["id"])
    runs = await asyncio.gather(
        journey_reminder.reach_session(session["id"], chunk=1),
        journey_reminder.sweep(),
    )
    assert sum(runs) == 2
    said = await messages("reminder")
    assert sorted(m["user_id"] for m in said) == sorted([follower.id, both.id])
    assert bystander.id not in {m["user_id"] for m in said}
