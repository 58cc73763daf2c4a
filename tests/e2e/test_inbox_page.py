"""The inbox page and the header's bell: a message arrives live (the badge counts it on any
page), is read from the keyboard, and its link leads into the site through the tracked link."""

from __future__ import annotations

from playwright.async_api import expect

from livecommerce.domains.outreach import delivery
from tests.e2e.support import screenshot
from tests.outreach.support import broadcast, deliveries, say

WAIT = 15_000  # ms: an upper bound for a request or a push to arrive, not a timing claim


async def _deliver(user_id: int, period: str, title: str, link: str) -> int:
    r = broadcast(user_id, None, period, title=title, body="今晚八点开播")
    inbox = (await deliveries(await say(r.__class__(**{**r.__dict__, "link": link}))))["inbox"]
    assert await delivery.deliver(inbox, {}) == "delivered"
    return inbox


async def test_a_message_arrives_live_is_read_and_followed_from_the_keyboard(pages, user_factory):
    fan = await user_factory("bell_fan")
    page = await pages.open("/me/inbox", fan, locale="zh-CN", mobile=True)
    other = await pages.open("/me", fan, locale="zh-CN")  # another tab: only the bell
    await expect(page.locator("#items .empty")).to_have_text("还没有消息。", timeout=WAIT)
    bell = page.locator(".site-header .inbox-bell")
    await expect(bell).to_have_attribute("aria-label", "消息", timeout=WAIT)
    await expect(page.locator("#settings h2")).to_have_text("通知设置")

    await _deliver(fan.id, "one", "<i>春茶</i>上新", "/me/coupons")
    first = page.locator("#items .inbox-item").first
    await expect(first.locator("h3")).to_contain_text("<i>春茶</i>上新", timeout=WAIT)  # as text
    await expect(bell.locator(".inbox-count")).to_have_text("1")
    await expect(bell).to_have_attribute("aria-label", "消息，1 条未读")
    await expect(other.locator(".site-header .inbox-count")).to_have_text("1", timeout=WAIT)
    await screenshot(page, "inbox-mobile")

    # Keyboard: focus the item's "mark read" button and press Enter.
    await first.get_by_role("button", name="标为已读").focus()
    await page.keyboard.press("Enter")
    await expect(bell.locator(".inbox-count")).to_be_hidden(timeout=WAIT)
    await expect(other.locator(".site-header .inbox-count")).to_be_hidden(timeout=WAIT)

    await first.get_by_role("link", name="查看").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/me/coupons", timeout=WAIT)


async def test_the_unsubscribe_page_works_in_a_browser_without_login(pages, client, user_factory):
    from livecommerce.domains.outreach import links

    host = await user_factory("tea_shop", ["host"])
    fan = await user_factory("leaving_fan")
    await client.put(
        "/api/me/notification-settings",
        json={"channels": [{"channel": "email", "standing": True}]},
        headers=fan.headers,
    )
    page = await pages.open(f"/u/{links.unsubscribe_token(fan.id, 'email', host.id)}", mobile=True)
    await expect(page.locator("h1")).to_have_text("退订邮件", timeout=WAIT)
    await page.get_by_role("button", name="不再接收任何邮件").press("Enter")
    await expect(page.locator("h1")).to_have_text("已退订", timeout=WAIT)
    settings = (await client.get("/api/me/notification-settings", headers=fan.headers)).json()
    assert {c["channel"]: c["standing"] for c in settings["channels"]}["email"] is False
