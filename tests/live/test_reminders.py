"""开播提醒: viewers ask to be reminded of a scheduled session; asking twice is asking once, a
session on air or over takes none, and the host sees how many asked."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from tests.support import create_room, go_live, problem_code


async def schedule(client: httpx.AsyncClient, host, room_id: int) -> dict:
    starts = datetime.now(UTC) + timedelta(hours=3)
    response = await client.post(
        f"/api/rooms/{room_id}/sessions",
        json={"title": "Autumn oolong", "scheduledAt": starts.isoformat()},
        headers=host.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_reminders_are_idempotent_counted_and_shown_to_the_host(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    ann, bo = await user_factory("ann"), await user_factory("bo")
    room = await create_room(client, host)
    session = await schedule(client, host, room["id"])
    url = f"/api/sessions/{session['id']}/reminders"

    guest_view = await client.get(url)
    assert guest_view.json() == {"sessionId": session["id"], "count": 0, "reminded": False}
    guest = await client.post(url)
    assert (guest.status_code, problem_code(guest)) == (401, "not_authenticated")

    # twice, even at once, is one
    first, second = await asyncio.gather(
        client.post(url, headers=ann.headers), client.post(url, headers=ann.headers)
    )
    assert first.status_code == second.status_code == 200, first.text
    again = await client.post(url, headers=ann.headers)
    assert again.json() == {"sessionId": session["id"], "count": 1, "reminded": True}
    assert (await client.post(url, headers=bo.headers)).json()["count"] == 2
    assert (await client.get(url, headers=ann.headers)).json()["reminded"] is True
    assert (await client.get(url)).json() == {
        "sessionId": session["id"],
        "count": 2,
        "reminded": False,
    }

    listed = await client.get(f"/api/rooms/{room['id']}/sessions", headers=host.headers)
    assert [s["reminders"] for s in listed.json()] == [2]

    taken_back = await client.delete(url, headers=bo.headers)
    assert taken_back.json() == {"sessionId": session["id"], "count": 1, "reminded": False}
    assert (await client.delete(url, headers=bo.headers)).json()["count"] == 1

    # once on air, the count stays in the session's report; new ones are refused
    live = await go_live(client, host, room["id"])
    assert live["id"] == session["id"]
    late = await client.post(url, headers=bo.headers)
    assert (late.status_code, problem_code(late)) == (409, "session_not_scheduled")
    assert late.json()["sessionStatus"] == "live"
    report = await client.get(f"/api/sessions/{session['id']}/report", headers=host.headers)
    assert report.json()["session"]["reminders"] == 1
    ended = await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)
    assert ended.status_code == 200
    over = await client.post(url, headers=ann.headers)
    assert (over.status_code, over.json()["sessionStatus"]) == (409, "ended")
    missing = await client.post("/api/sessions/9999/reminders", headers=ann.headers)
    assert (missing.status_code, problem_code(missing)) == (404, "not_found")


async def test_calling_a_session_off_takes_its_reminders_with_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    ann = await user_factory("ann")
    room = await create_room(client, host)
    session = await schedule(client, host, room["id"])
    url = f"/api/sessions/{session['id']}/reminders"
    assert (await client.post(url, headers=ann.headers)).status_code == 200
    called_off = await client.delete(f"/api/sessions/{session['id']}", headers=host.headers)
    assert called_off.status_code == 204, called_off.text
    assert (await client.get(url)).status_code == 404
