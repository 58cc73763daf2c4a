"""The console's moderation list: who moderates the room, who is muted or banned, until when
and by whom; for the room's host and moderators only. A moderator mutes but doesn't appoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.support import create_room, problem_code


async def moderate(client: httpx.AsyncClient, who, room_id: int, **body) -> httpx.Response:
    return await client.post(f"/api/rooms/{room_id}/moderation", json=body, headers=who.headers)


async def listing(client: httpx.AsyncClient, who, room_id: int) -> httpx.Response:
    return await client.get(f"/api/rooms/{room_id}/moderation", headers=who.headers)


async def test_the_host_sees_who_is_muted_banned_and_moderating_and_lifts_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    noisy, rude, helper = (
        await user_factory("noisy"),
        await user_factory("rude"),
        await user_factory("helper"),
    )
    room = await create_room(client, host)
    rid = room["id"]
    before = datetime.now(UTC)
    muted = await moderate(client, host, rid, action="mute", userId=noisy.id, minutes=10)
    assert muted.status_code == 200, muted.text
    # muted again, shorter: the longer one is the one in force
    await moderate(client, host, rid, action="mute", userId=noisy.id, minutes=1)
    await moderate(client, host, rid, action="ban", userId=rude.id, reason="insults")
    appointed = await moderate(client, host, rid, action="add_moderator", username="HELPER")
    assert (appointed.status_code, appointed.json()["userId"]) == (200, helper.id)

    state = (await listing(client, host, rid)).json()
    assert state["roomId"] == rid
    [mute] = state["muted"]
    assert (mute["userId"], mute["name"], mute["byId"], mute["byName"]) == (
        noisy.id,
        "Noisy",
        host.id,
        "Host",
    )
    until = datetime.fromisoformat(mute["until"])
    assert before + timedelta(minutes=9) < until < datetime.now(UTC) + timedelta(minutes=11)
    [ban] = state["banned"]
    assert (ban["userId"], ban["until"], ban["reason"]) == (rude.id, None, "insults")
    assert [(m["userId"], m["name"]) for m in state["moderators"]] == [(helper.id, "Helper")]

    await moderate(client, host, rid, action="unmute", userId=noisy.id)
    await moderate(client, host, rid, action="unban", userId=rude.id)
    await moderate(client, host, rid, action="remove_moderator", userId=helper.id)
    state = (await listing(client, host, rid)).json()
    assert (state["muted"], state["banned"], state["moderators"]) == ([], [], [])

    unknown = await moderate(client, host, rid, action="add_moderator", username="nobody_here")
    assert (unknown.status_code, unknown.json()["field"]) == (404, "username")


async def test_a_moderator_mutes_and_reads_the_list_but_appoints_no_one(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    mod, fan, other = await user_factory("mod"), await user_factory("fan"), await user_factory("o")
    room = await create_room(client, host)
    rid = room["id"]
    assert (await moderate(client, host, rid, action="add_moderator", userId=mod.id)).is_success

    muted = await moderate(client, mod, rid, action="mute", userId=fan.id, minutes=60)
    assert muted.status_code == 200, muted.text
    state = (await listing(client, mod, rid)).json()
    assert [(m["userId"], m["byName"]) for m in state["muted"]] == [(fan.id, "Mod")]
    for action in ("add_moderator", "remove_moderator"):
        refused = await moderate(client, mod, rid, action=action, userId=other.id)
        assert (refused.status_code, problem_code(refused)) == (403, "forbidden")
    cant = await moderate(client, mod, rid, action="mute", userId=host.id)
    assert (cant.status_code, problem_code(cant)) == (409, "cannot_moderate")
    assert (await moderate(client, mod, rid, action="unmute", userId=fan.id)).is_success
    assert (await listing(client, mod, rid)).json()["muted"] == []


async def test_nobody_else_reads_or_changes_a_rooms_moderation(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    other_host = await user_factory("rival", ["host"])
    fan = await user_factory("fan")
    room = await create_room(client, host)
    rid = room["id"]
    for who in (other_host, fan):
        seen = await listing(client, who, rid)
        assert (seen.status_code, problem_code(seen)) == (404, "not_found")
        changed = await moderate(client, who, rid, action="mute", userId=fan.id)
        assert changed.status_code in (403, 404)
    guest = await client.get(f"/api/rooms/{rid}/moderation")
    assert guest.status_code == 401
    missing = await listing(client, host, 9999)
    assert missing.status_code == 404
