"""开播提醒 on a phone: a viewer taps it on an upcoming room, it turns to 已预约 and stays so after
a reload; a guest is sent to log in; the host's console counts the viewer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.support import create_room

WAIT = 15_000  # ms: an upper bound for a frame to cross, not a timing claim


async def test_a_viewer_on_a_phone_asks_to_be_reminded_and_the_console_counts_it(
    pages, client, user_factory
):
    host = await user_factory("tea_host", ["host"])
    viewer = await user_factory("early_bird")
    room = await create_room(client, host, title="Autumn oolong")
    starts = datetime.now(UTC) + timedelta(hours=5)
    scheduled = await client.post(
        f"/api/rooms/{room['id']}/sessions",
        json={"title": "Autumn oolong tasting", "scheduledAt": starts.isoformat()},
        headers=host.headers,
    )
    assert scheduled.status_code == 201, scheduled.text

    guest = await pages.open(f"/rooms/{room['id']}", locale="zh-CN", mobile=True)
    guest_button = guest.locator("#state-panel #remind-button")
    await expect(guest_button).to_have_text("开播提醒", timeout=WAIT)
    await guest_button.click()
    await expect(guest).to_have_url(re.compile(r"/login\?next=%2Frooms%2F"), timeout=WAIT)

    phone = await pages.open(f"/rooms/{room['id']}", viewer, locale="zh-CN", mobile=True)
    button = phone.locator("#state-panel #remind-button")
    await expect(button).to_have_text("开播提醒", timeout=WAIT)
    await expect(phone.locator("#countdown")).to_be_visible()
    await button.click()
    await expect(button).to_have_text("已预约", timeout=WAIT)
    await expect(button).to_have_attribute("aria-pressed", "true")
    await expect(phone.locator("#remind-count")).to_have_text("1 人已预约")
    await screenshot(phone, "room-remind-me")

    await phone.reload()
    await expect(phone.locator("#state-panel #remind-button")).to_have_text("已预约", timeout=WAIT)

    console = await pages.open(f"/host/rooms/{room['id']}", host, locale="zh-CN")
    upcoming = console.locator("#sessions li[data-status=scheduled]")
    await expect(upcoming.locator(".reminders")).to_contain_text("1 人预约", timeout=WAIT)
