"""The service worker in a real Chromium: registered from the site root it controls the whole
site, and a pushed payload (what outreach/webpush.py sends) becomes a notification whose data
is the tracked link. (A push service itself can't be reached from here: the push's way there
is tested against a local one in test_channel_webpush.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import CHROMIUM
from tests.support import LiveServer

try:
    from playwright.async_api import async_playwright
except ImportError:  # pragma: no cover - the dev extras install it
    async_playwright = None  # type: ignore[assignment]

pytestmark = pytest.mark.skipif(
    async_playwright is None or not Path(CHROMIUM).exists(), reason=f"needs {CHROMIUM}"
)


@pytest.fixture
async def context(live: LiveServer) -> AsyncIterator[Any]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        ctx = await browser.new_context(base_url=live.url)
        await ctx.grant_permissions(["notifications"], origin=live.url)
        yield ctx
        await ctx.close()
        await browser.close()


async def test_the_worker_controls_the_site_and_shows_a_pushed_message(
    context: Any, live: LiveServer
) -> None:
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto("/")
    scope = await page.evaluate(
        "async () => (await navigator.serviceWorker.register('/sw.js', {scope: '/'})).scope"
    )
    assert scope == f"{live.url}/"
    await page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    [worker] = context.service_workers or [await context.wait_for_event("serviceworker")]
    payload = {
        "title": "开播啦",
        "body": "你预约的直播开始了",
        "url": f"{live.url}/o/tok",
        "unsubscribeUrl": f"{live.url}/u/tok",
        "tag": "lc-5",
        "lang": "zh-CN",
    }
    shown = await worker.evaluate(
        """async (data) => {
          self.dispatchEvent(new PushEvent("push", { data: JSON.stringify(data) }));
          for (let i = 0; i < 50; i++) {
            const [n] = await self.registration.getNotifications({ tag: data.tag });
            if (n) return { title: n.title, body: n.body, data: n.data,
                            actions: n.actions.map((a) => a.action) };
            await new Promise((r) => setTimeout(r, 100));
          }
          return null;
        }""",
        payload,
    )
    assert shown == {
        "title": "开播啦",
        "body": "你预约的直播开始了",
        "data": {"url": payload["url"], "unsubscribeUrl": payload["unsubscribeUrl"]},
        "actions": ["unsubscribe"],
    }
    # A link off the site is never opened from our notification.
    foreign = await worker.evaluate(
        """async () => {
          self.dispatchEvent(new PushEvent("push", { data: JSON.stringify(
            { title: "x", url: "https://evil.example/phish", tag: "lc-6" }) }));
          for (let i = 0; i < 50; i++) {
            const [n] = await self.registration.getNotifications({ tag: "lc-6" });
            if (n) return n.data.url;
            await new Promise((r) => setTimeout(r, 100));
          }
          return null;
        }"""
    )
    assert foreign == f"{live.url}/"
    assert not errors, errors
