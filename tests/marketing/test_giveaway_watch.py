"""The watch task counts the time a viewer's sockets were in the room during the giveaway, from the
socket's presence (join and leave), across stretches and tabs."""

from __future__ import annotations

import time

from livecommerce.domains.live import events as room_events
from livecommerce.domains.marketing import giveaway_room, giveaway_watch
from livecommerce.infra import db
from tests.live.conftest import joined
from tests.live.conftest import room_url as room_url  # fixtures of the room tests
from tests.live.conftest import rooms_left as rooms_left
from tests.marketing.giveaway_support import draw, end_now, live_room, start


async def _earlier(room_id: int, giveaway_id: int, user_id: int, seconds: float) -> None:
    """As if the viewer's open stretch, and the giveaway, had begun `seconds` earlier."""
    redis = room_events.redis()
    assert redis is not None
    in_key = giveaway_watch.keys(room_id)[0]
    sockets, since = (await redis.hget(in_key, str(user_id))).decode().split(":")
    await redis.hset(in_key, str(user_id), f"{sockets}:{float(since) - seconds}")
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "UPDATE giveaways SET starts_at = least(starts_at,"
            " to_timestamp($2)) WHERE id = $1 RETURNING starts_at, ends_at",
            giveaway_id,
            float(since) - seconds,
        )
    await giveaway_watch.open_window(
        room_id, giveaway_id, row["starts_at"].timestamp(), row["ends_at"].timestamp()
    )


async def test_watching_long_enough_enters_across_stretches_and_tabs(
    client, user_factory, room_url
) -> None:
    giveaway_room.forget_all()
    host, fan = await user_factory("host", ["host"]), await user_factory("fan")
    room_id = await live_room(client, host)
    giveaway = (await start(client, host, room_id, watchMinutes=1)).json()
    me = f"/api/giveaways/{giveaway['id']}/me"
    async with joined(room_url(room_id), fan), joined(room_url(room_id), fan):
        await _earlier(room_id, giveaway["id"], fan.id, 40)
        now = (await client.get(me, headers=fan.headers)).json()
        assert 40 <= now["watchedSeconds"] < 60 and now["entered"] is False
    # Both tabs gone: the 40 s are kept; a second stretch of 30 s makes 70.
    closed_at = time.monotonic()
    while (await client.get(me, headers=fan.headers)).json()["watchedSeconds"] < 40:
        assert time.monotonic() - closed_at < 5, "the leave was never counted"
    async with joined(room_url(room_id), fan):
        await _earlier(room_id, giveaway["id"], fan.id, 30)
        now = (await client.get(me, headers=fan.headers)).json()
        assert now["watchedSeconds"] >= 70 and now["entered"] is True


async def test_the_draw_enters_who_watched_enough_without_asking(
    client, user_factory, room_url
) -> None:
    giveaway_room.forget_all()
    host = await user_factory("host", ["host"])
    stayed, left = await user_factory("stayed"), await user_factory("early")
    room_id = await live_room(client, host)
    giveaway = (await start(client, host, room_id, watchMinutes=1, winners=2)).json()
    for viewer in (stayed, left):  # the page asked once, at the start
        await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
    async with joined(room_url(room_id), stayed), joined(room_url(room_id), left):
        await _earlier(room_id, giveaway["id"], stayed.id, 90)
        await _earlier(room_id, giveaway["id"], left.id, 20)
        await end_now(giveaway["id"])
        assert await draw(giveaway["id"])
    published = (await client.get(f"/api/giveaways/{giveaway['id']}/entries")).json()
    assert [e["name"] for e in published["entries"]] == ["S***d"]
