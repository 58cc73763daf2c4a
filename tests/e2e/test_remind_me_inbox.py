"""预约 through to the inbox, with a real arq worker doing the sending: a viewer on a phone taps
开播提醒 on an upcoming room; the host starts the session; the worker's reminder journey and
delivery job put the reminder in the viewer's inbox, the header's badge counts it, and its link
(the tracked /o/ link) opens the room, recording the click."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

from arq.worker import Worker
from playwright.async_api import expect

from livecommerce.infra import db
from livecommerce.worker.settings import job_context, worker_options
from tests.e2e.support import screenshot
from tests.support import create_room, go_live

WAIT = 30_000  # ms: an upper bound for the worker and the page to catch up, not a timing claim


async def test_a_reminder_asked_for_on_a_phone_lands_in_the_inbox_and_opens_the_room(
    pages, client, user_factory, migrated
):
    options = {k: v for k, v in worker_options(migrated).items() if k != "on_shutdown"}
    options["cron_jobs"] = []  # nothing by the clock: the start must set everything off
    worker = Worker(
        **options, poll_delay=0.1, handle_signals=False, ctx=job_context(migrated), redis_pool=None
    )
    worker_task = asyncio.create_task(worker.main())
    try:
        await _remind_me_to_inbox(pages, client, user_factory)
    finally:
        worker_task.cancel()
        await asyncio.gather(worker_task, return_exceptions=True)
        await worker.close()


async def _remind_me_to_inbox(pages, client, user_factory) -> None:
    host = await user_factory("oolong_host", ["host"])
    viewer = await user_factory("night_owl")
    room = await create_room(client, host, title="Autumn oolong")
    scheduled = await client.post(
        f"/api/rooms/{room['id']}/sessions",
        json={
            "title": "Autumn oolong tasting",
            "scheduledAt": (datetime.now(UTC) + timedelta(hours=5)).isoformat(),
        },
        headers=host.headers,
    )
    assert scheduled.status_code == 201, scheduled.text

    phone = await pages.open(f"/rooms/{room['id']}", viewer, locale="zh-CN", mobile=True)
    button = phone.locator("#state-panel #remind-button")
    await expect(button).to_have_text("开播提醒", timeout=WAIT)
    await button.click()
    await expect(button).to_have_text("已预约", timeout=WAIT)

    await go_live(client, host, room["id"])  # the host starts the session (the API)

    inbox = await pages.open("/me/inbox", viewer, locale="zh-CN", mobile=True)
    item = inbox.locator("#items li.inbox-item").first
    # The page loads once; the item arrives when the worker has sent it (a reload shows it).
    deadline = asyncio.get_running_loop().time() + WAIT / 1000
    while not await item.count():
        assert asyncio.get_running_loop().time() < deadline, "no reminder in the inbox"
        await asyncio.sleep(0.5)
        await inbox.reload()
    await expect(item).to_contain_text("Autumn oolong 开播了")
    await expect(item).to_have_class(re.compile(r"\bunread\b"))
    await expect(inbox.locator(".inbox-bell .inbox-count")).to_have_text("1", timeout=WAIT)
    await screenshot(inbox, "inbox-reminder")

    await item.get_by_role("link", name="查看").click()
    await expect(inbox).to_have_url(re.compile(rf"/rooms/{room['id']}$"), timeout=WAIT)
    async with db.connection() as conn:
        clicked = await conn.fetchval(
            "SELECT clicked_at FROM outreach_deliveries d JOIN outreach_messages m"
            " ON m.id = d.message_id WHERE m.user_id = $1 AND m.journey = 'reminder'"
            " AND d.channel = 'inbox'",
            viewer.id,
        )
    assert clicked is not None  # the tracked link recorded the click on its way to the room
