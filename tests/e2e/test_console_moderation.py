"""Moderation from the host's console, by keyboard: a viewer's chat line is muted for 10 minutes,
the muted list says until when and by whom, the mute is lifted there; a moderator is appointed
by username and removed again. The viewer's own room shows the display name, not the login."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.live.conftest import event_of, joined
from tests.support import create_room, go_live, next_frame

WAIT = 15_000  # ms: an upper bound for a frame to cross, not a timing claim


async def test_host_mutes_for_ten_minutes_lifts_it_and_appoints_and_removes_a_moderator(
    pages, client, user_factory, live
):
    host = await user_factory("tea_host", ["host"])
    fan = await user_factory("noisy_fan")
    helper = await user_factory("kind_helper")
    renamed = await client.patch("/api/me", json={"displayName": "小吵"}, headers=fan.headers)
    assert renamed.status_code == 200, renamed.text
    room = await create_room(client, host, title="Oolong evening")
    await go_live(client, host, room["id"])

    console = await pages.open(f"/host/rooms/{room['id']}", host)
    await expect(console.locator("#mod-muted li.empty")).to_be_visible(timeout=WAIT)
    url = f"{live.ws_url}/ws/rooms/{room['id']}"
    async with joined(url, fan) as (ws, _):
        await ws.send(json.dumps({"type": "chat", "text": "BUY NOW!!!"}))
        await event_of(ws, "chat", text="BUY NOW!!!")
        line = console.locator("#console-chat li", has_text="BUY NOW!!!")
        await expect(line.locator(".who")).to_have_text("小吵", timeout=WAIT)

        # Keyboard only: choose 10 minutes, then the line's mute button.
        await console.locator("#mute-minutes").focus()
        await console.locator("#mute-minutes").select_option("10")
        before = datetime.now(UTC)
        mute = line.get_by_role("button", name="Mute: 小吵 “BUY NOW!!!”")
        await mute.focus()
        await console.keyboard.press("Enter")
        muted = console.locator("#mod-muted li", has_text="小吵")
        await expect(muted).to_contain_text("until", timeout=WAIT)
        await expect(muted).to_contain_text("by Tea_Host")
        await expect(console.locator("#moderation-ok")).to_have_text("Muted")

        # The viewer is refused, as the list says.
        await ws.send(json.dumps({"type": "chat", "text": "still here"}))
        refused = await next_frame(ws, "error")
        assert refused["code"] == "muted"
    state = (await client.get(f"/api/rooms/{room['id']}/moderation", headers=host.headers)).json()
    [entry] = state["muted"]
    until = datetime.fromisoformat(entry["until"])
    assert before + timedelta(minutes=9) < until < datetime.now(UTC) + timedelta(minutes=11)
    await screenshot(console, "console-moderation-muted")

    unmute = muted.get_by_role("button", name="Unmute: 小吵")
    await unmute.focus()
    await console.keyboard.press("Enter")
    await expect(console.locator("#mod-muted li.empty")).to_be_visible(timeout=WAIT)
    await expect(console.locator("#moderation-ok")).to_have_text("Unmuted")

    await console.locator("#appoint-username").fill("kind_helper")
    await console.keyboard.press("Enter")
    moderator = console.locator("#mod-moderators li", has_text="Kind_Helper")
    await expect(moderator).to_be_visible(timeout=WAIT)
    assert (await client.get(f"/api/rooms/{room['id']}", headers=host.headers)).json()[
        "moderators"
    ] == [helper.id]
    remove = moderator.get_by_role("button", name="Remove moderator: Kind_Helper")
    await remove.focus()
    await console.keyboard.press("Enter")
    await expect(console.locator("#mod-moderators li.empty")).to_be_visible(timeout=WAIT)
    assert (await client.get(f"/api/rooms/{room['id']}", headers=host.headers)).json()[
        "moderators"
    ] == []
