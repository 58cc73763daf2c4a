"""The host's outreach page (zh-CN, by keyboard): the journeys' switches, a message to a segment
previewed and sent, its row in the list, and the results' charts drawn."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.outreach.campaign_support import shop_with_members

WAIT = 15_000  # ms: an upper bound for the page to catch up, not a timing claim


async def test_a_host_previews_and_sends_a_message_to_a_segment_by_keyboard(
    pages, client, user_factory
):
    shop = await shop_with_members(client, user_factory, "page", 3)
    page = await pages.open("/host/outreach", shop.host, locale="zh-CN")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT)
    await expect(page.locator("#journeys li")).to_have_count(5)
    await expect(page.locator("#c-segment")).to_contain_text("everyone（3 人）")

    await page.locator("#c-title").focus()
    await page.keyboard.type("今晚八点上新")
    await page.keyboard.press("Tab")  # to the counter-described body
    await page.keyboard.type("新茶到了，来直播间看看。")
    await page.locator("#preview-button").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("#preview")).to_have_attribute("data-members", "3", timeout=WAIT)
    await expect(page.locator("#preview")).to_contain_text("人群现有 3 人")
    await page.locator("#send-button").focus()
    await page.keyboard.press("Enter")
    row = page.locator("#campaign-table tbody tr").first
    await expect(row).to_contain_text("今晚八点上新", timeout=WAIT)
    await expect(page.locator("#funnel-chart canvas")).to_have_count(1)
    await expect(page.locator("#daily-chart canvas")).to_have_count(1)
    await screenshot(page, "host-outreach")
