"""Scheduling a broadcast: a cover and a start time, a countdown on the server's clock, the
room's status by what really happened, and a scheduled session changed or called off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.live.conftest import event_of, joined
from tests.live.test_session_report import until
from tests.support import create_room, go_live, problem_code

COVER = "https://img.example/spring-tea.jpg"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_a_scheduled_session_lists_as_upcoming_with_its_cover_start_and_the_server_clock(
    client, user_factory, room_url
) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    room = await create_room(client, host, title="Spring tea")
    never = await create_room(client, host, title="Not yet")
    starts = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    scheduled = await client.post(
        f"/api/rooms/{room['id']}/sessions",
        json={"title": "First flush", "scheduledAt": starts.isoformat(), "coverUrl": COVER},
        headers=host.headers,
    )
    assert scheduled.status_code == 201, scheduled.text
    assert (scheduled.json()["coverUrl"], scheduled.json()["status"]) == (COVER, "scheduled")

    before = datetime.now(UTC)
    listing = (await client.get("/api/rooms", params={"status": "upcoming"})).json()
    after = datetime.now(UTC)
    [upcoming] = listing["items"]
    assert upcoming["id"] == room["id"] and upcoming["status"] == "upcoming"
    assert _at(upcoming["startsAt"]) == starts
    assert upcoming["session"]["coverUrl"] == COVER
    assert before - timedelta(seconds=1) <= _at(listing["now"]) <= after + timedelta(seconds=1)

    detail = (await client.get(f"/api/rooms/{room['id']}")).json()
    assert (detail["status"], _at(detail["startsAt"])) == ("upcoming", starts)
    assert abs(_at(detail["now"]) - datetime.now(UTC)) < timedelta(seconds=5)
    # A room that never went live and has nothing scheduled is not "ended".
    untouched = (await client.get(f"/api/rooms/{never['id']}")).json()
    assert (untouched["status"], untouched["session"], untouched["startsAt"]) == (
        "none",
        None,
        None,
    )

    async with joined(room_url(room["id"]), viewer) as (ws, snapshot):
        payload = snapshot["payload"]
        assert payload["status"] == "upcoming" and _at(payload["startsAt"]) == starts
        assert payload["session"]["coverUrl"] == COVER and "now" in payload

        # The host moves the start: the waiting viewer's countdown follows.
        later = starts + timedelta(minutes=30)
        moved = await client.patch(
            f"/api/sessions/{scheduled.json()['id']}",
            json={"scheduledAt": later.isoformat(), "title": "First flush, later"},
            headers=host.headers,
        )
        assert moved.status_code == 200, moved.text
        told = await event_of(ws, "session")
        assert _at(told["session"]["scheduledAt"]) == later
        assert told["session"]["title"] == "First flush, later"

        live = await go_live(client, host, room["id"])
        assert (live["id"], live["coverUrl"]) == (scheduled.json()["id"], COVER)
        assert (await event_of(ws, "session", status="live"))["session"]["coverUrl"] == COVER
        # The viewer who waited through the countdown is the session's first viewer.
        counted = await until(client, host, room["id"], uniqueViewers=1)
        assert (counted["views"], counted["peak"]) == (1, 1)
    assert (await client.get(f"/api/rooms/{room['id']}")).json()["status"] == "live"
    # Once live, a session can't be rescheduled or called off.
    for method in ("PATCH", "DELETE"):
        refused = await client.request(
            method,
            f"/api/sessions/{live['id']}",
            json={"title": "too late"} if method == "PATCH" else None,
            headers=host.headers,
        )
        assert (refused.status_code, problem_code(refused)) == (409, "session_not_scheduled")
    ended = await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)
    assert ended.status_code == 200
    assert (await client.get(f"/api/rooms/{room['id']}")).json()["status"] == "ended"


async def test_a_start_in_the_past_or_without_a_zone_is_refused(client, user_factory) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    for when in (
        (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        (datetime.now(UTC) + timedelta(days=400)).isoformat(),
        (datetime.now(UTC) + timedelta(hours=1)).replace(tzinfo=None).isoformat(),
    ):
        refused = await client.post(
            f"/api/rooms/{room['id']}/sessions",
            json={"title": "When?", "scheduledAt": when},
            headers=host.headers,
        )
        assert (refused.status_code, problem_code(refused)) == (400, "validation_error"), when
    bad_cover = await client.post(
        f"/api/rooms/{room['id']}/sessions",
        json={
            "title": "Cover",
            "scheduledAt": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            "coverUrl": "javascript:alert(1)",
        },
        headers=host.headers,
    )
    assert bad_cover.status_code == 400


async def test_a_called_off_session_leaves_the_room_as_it_was(client, user_factory) -> None:
    host = await user_factory("host", ["host"])
    other = await user_factory("other", ["host"])
    room = await create_room(client, host)
    when = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    session = (
        await client.post(
            f"/api/rooms/{room['id']}/sessions",
            json={"title": "Tomorrow", "scheduledAt": when},
            headers=host.headers,
        )
    ).json()
    # Another host's session does not exist for them.
    for method in ("PATCH", "DELETE"):
        response = await client.request(
            method,
            f"/api/sessions/{session['id']}",
            json={"title": "mine"} if method == "PATCH" else None,
            headers=other.headers,
        )
        assert response.status_code == 404
    gone = await client.delete(f"/api/sessions/{session['id']}", headers=host.headers)
    assert gone.status_code == 204
    detail = (await client.get(f"/api/rooms/{room['id']}")).json()
    assert (detail["status"], detail["session"]) == ("none", None)
    assert (await client.get(f"/api/rooms/{room['id']}/sessions")).json() == []
