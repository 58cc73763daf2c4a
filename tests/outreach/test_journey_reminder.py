"""预约: when a session goes live, everyone who asked is reached, once, whether the fan-out job
runs, runs twice at once, runs late, or is lost (the minute's sweeper then does it)."""

from __future__ import annotations

import asyncio

import httpx
from redis.asyncio import Redis

from livecommerce.domains.outreach import journey_reminder
from livecommerce.infra import db
from tests.outreach.journey_support import messages, schedule
from tests.support import create_room, go_live


async def _asked(client: httpx.AsyncClient, user_factory, n: int) -> tuple:
    host = await user_factory("host", ["host"])
    viewers = [await user_factory(f"viewer{i}") for i in range(n)]
    room = await create_room(client, host)
    session = await schedule(client, host, room["id"])
    for viewer in viewers:
        asked = await client.post(
            f"/api/sessions/{session['id']}/reminders", headers=viewer.headers
        )
        assert asked.status_code == 200, asked.text
    return host, viewers, room, session


async def test_starting_enqueues_one_fan_out_and_it_reaches_each_viewer_once(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host, viewers, room, session = await _asked(client, user_factory, 5)
    bystander = await user_factory("bystander")
    await go_live(client, host, room["id"])
    # The start enqueued the session's fan-out job after COMMIT (no worker runs it here).
    redis = Redis.from_url(migrated.redis_url)
    try:
        assert await redis.exists(f"arq:job:{journey_reminder.job_id(session['id'])}")
    finally:
        await redis.aclose()
    assert await messages("reminder") == []

    # Run twice at once (small chunks, so the two interleave), then once more, late.
    runs = await asyncio.gather(
        journey_reminder.reach_session(session["id"], chunk=2),
        journey_reminder.reach_session(session["id"], chunk=2),
    )
    assert sum(runs) == 5
    assert await journey_reminder.reach_session(session["id"]) == 0
    assert await journey_reminder.sweep() == 0

    said = await messages("reminder")
    assert [m["user_id"] for m in said] == sorted(v.id for v in viewers)
    assert bystander.id not in {m["user_id"] for m in said}
    assert {m["period"] for m in said} == {f"session:{session['id']}"}
    assert {m["link"] for m in said} == {f"/rooms/{room['id']}"}
    assert {m["host_id"] for m in said} == {host.id}


async def test_the_sweeper_reaches_everyone_when_the_fan_out_job_was_lost(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, viewers, room, _session = await _asked(client, user_factory, 3)
    await go_live(client, host, room["id"])
    # The job never runs (lost with Redis, say): the sweeper, run twice at once, reaches them.
    swept = await asyncio.gather(journey_reminder.sweep(), journey_reminder.sweep())
    assert sum(swept) == 3
    assert [m["user_id"] for m in await messages("reminder")] == sorted(v.id for v in viewers)
    assert await journey_reminder.sweep() == 0
    # A viewer whose message was lost too (deleted here) is reached on the next sweep.
    async with db.connection() as conn:
        await conn.execute("DELETE FROM outreach_messages WHERE user_id = $1", viewers[0].id)
    assert await journey_reminder.sweep() == 1


async def test_a_session_live_for_long_or_over_is_not_reminded_of(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, _viewers, room, session = await _asked(client, user_factory, 2)
    await go_live(client, host, room["id"])
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE live_sessions SET started_at = now() - interval '11 minutes' WHERE id = $1",
            session["id"],
        )
    assert await journey_reminder.sweep() == 0  # outside the sweeper's window
    assert await journey_reminder.reach_session(session["id"]) == 2  # the job itself still runs
    ended = await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)
    assert ended.status_code == 200, ended.text
    async with db.connection() as conn:
        message = await conn.fetchrow("SELECT * FROM outreach_messages LIMIT 1")
        # The re-check just before sending: the session is no longer live.
        assert await journey_reminder.still_live(conn, message) is False
    async with db.connection() as conn:
        await conn.execute("DELETE FROM outreach_messages")
    assert await journey_reminder.reach_session(session["id"]) == 0  # over: nothing to say


async def test_the_recheck_holds_while_the_session_is_live(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, _, room, session = await _asked(client, user_factory, 1)
    await go_live(client, host, room["id"])
    await journey_reminder.reach_session(session["id"])
    async with db.connection() as conn:
        message = await conn.fetchrow("SELECT * FROM outreach_messages LIMIT 1")
        assert await journey_reminder.still_live(conn, message) is True
