"""What others see of a user is the display name they chose, never their login: PATCH /api/me,
the names refused, and the chat lines that carry it."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.live.conftest import event_of, joined
from tests.support import create_room, go_live, problem_code


async def rename(client: httpx.AsyncClient, user, name: object, **headers: str) -> httpx.Response:
    return await client.patch(
        "/api/me", json={"displayName": name}, headers={**user.headers, **headers}
    )


async def test_a_user_sets_a_display_name_and_chat_carries_it_not_the_username(
    client: httpx.AsyncClient, user_factory, live
) -> None:
    host = await user_factory("host", ["host"])
    fan = await user_factory("fan_4711")
    room = await create_room(client, host)
    await go_live(client, host, room["id"])

    changed = await rename(client, fan, "  小\u3000明  同学 ")
    assert changed.status_code == 200, changed.text
    assert changed.json()["displayName"] == "小 明 同学"  # trimmed, spaces made one
    assert (await client.get("/api/me", headers=fan.headers)).json()["displayName"] == "小 明 同学"

    async with (
        joined(f"{live.ws_url}/ws/rooms/{room['id']}", host) as (console, _),
        joined(f"{live.ws_url}/ws/rooms/{room['id']}", fan) as (ws, snapshot),
    ):
        assert snapshot["payload"]["you"]["name"] == "小 明 同学"
        await ws.send(json.dumps({"type": "chat", "text": "好茶"}))
        line = await event_of(console, "chat", text="好茶")
        assert line["name"] == "小 明 同学"
        assert "fan_4711" not in json.dumps(line, ensure_ascii=False)

        # A change shows on the next line, on a socket that was open before it.
        assert (await rename(client, fan, "Tea lover")).status_code == 200
        await ws.send(json.dumps({"type": "chat", "text": "again"}))
        assert (await event_of(console, "chat", text="again"))["name"] == "Tea lover"

    history = await client.get(f"/api/rooms/{room['id']}/chat", headers=host.headers)
    assert [(x["name"], x["text"]) for x in history.json()] == [
        ("小 明 同学", "好茶"),
        ("Tea lover", "again"),
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "blank"),
        ("   \u3000 ", "blank"),
        ("字" * 21, "too_long"),
        ("abc\u202edcba", "control_characters"),  # right-to-left override
        ("ad\u200bmin", "control_characters"),  # zero-width space
        ("two\nlines", "control_characters"),
        ("bell\u0007", "control_characters"),
        ("Bob_Login", "reserved"),  # another user's username, whatever the case
        ("ｂｏｂ＿ｌｏｇｉｎ", "reserved"),  # full-width letters are the same name
        ("Tea House", "reserved"),  # a host's display name
        ("主播", "reserved"),
        ("Admin", "reserved"),
    ],
)
async def test_names_that_are_empty_invisible_or_someone_elses_are_refused(
    client: httpx.AsyncClient, user_factory, name: str, reason: str
) -> None:
    await user_factory("bob_login")
    host = await user_factory("tea_host", ["host"])
    assert (await rename(client, host, "Tea House")).status_code == 200
    fan = await user_factory("fan")
    refused = await rename(client, fan, name)
    assert (refused.status_code, problem_code(refused)) == (422, "invalid_display_name")
    body = refused.json()
    assert (body["field"], body["reason"]) == ("displayName", reason)
    assert (await client.get("/api/me", headers=fan.headers)).json()["displayName"] == "Fan"


async def test_a_refusal_is_said_in_the_asked_language_and_ones_own_login_is_allowed(
    client: httpx.AsyncClient, user_factory
) -> None:
    fan = await user_factory("fan")
    zh = await rename(client, fan, "字" * 21, **{"Accept-Language": "zh-CN"})
    en = await rename(client, fan, "字" * 21, **{"Accept-Language": "en"})
    assert (zh.json()["detail"], en.json()["detail"]) == (
        "昵称最多 20 个字",
        "Display name must be at most 20 characters long",
    )
    blank = await rename(client, fan, " ", **{"Accept-Language": "zh-CN"})
    assert blank.json()["detail"] == "昵称不能只有空格"
    assert (await rename(client, fan, "FAN")).status_code == 200  # my own username is mine
    wrong_type = await rename(client, fan, 12)
    assert (wrong_type.status_code, problem_code(wrong_type)) == (400, "validation_error")
    guest = await client.patch("/api/me", json={"displayName": "x"})
    assert guest.status_code == 401
