"""The host's outreach page (zh-CN, by keyboard): the journeys' switches, a message to a segment
previewed and sent, its row in the list, and the results' charts drawn."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.outreach.campaign_support import shop_with_members
from tests.support import create_product

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


async def test_a_host_saves_a_bot_and_an_sms_gateway_and_sets_a_products_cycle(
    pages, client, user_factory
):
    shop = await shop_with_members(client, user_factory, "chan", 1)
    product = await create_product(client, shop.host, title="洗面奶")
    page = await pages.open("/host/outreach", shop.host, locale="zh-CN")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT)
    await expect(page.locator("#channels-card")).to_be_visible()
    await expect(page.locator("#bots")).to_contain_text("还没有群机器人")

    await page.locator("#bot-label").fill("运营群")
    await page.locator("#bot-url").fill("wecombot://abcdef1234567890")
    await page.locator("#bot-add").press("Enter")
    await page.locator("#sms-url").fill("jsons://sms.example.com/send?to={phone}")
    await page.locator("#sms-set").press("Enter")
    await page.locator("#channels-save").press("Enter")
    # Saved: answered masked, the token never shown again.
    await expect(page.locator("#bots")).to_contain_text("运营群", timeout=WAIT)
    await expect(page.locator("#bots")).not_to_contain_text("abcdef1234567890")
    await expect(page.locator("#bots")).not_to_contain_text("未保存")
    saved = (await client.get("/api/host/outreach-channels", headers=shop.host.headers)).json()
    assert [b["label"] for b in saved["bots"]] == ["运营群"] and saved["sms"] is not None

    # A URL apprise can't use is refused with its reason, and nothing is half-saved.
    await page.locator("#bot-url").fill("ftp://nope")
    await page.locator("#bot-add").press("Enter")
    await page.locator("#channels-save").press("Enter")
    await expect(page.locator("#channels-error")).not_to_be_empty(timeout=WAIT)
    again = (await client.get("/api/host/outreach-channels", headers=shop.host.headers)).json()
    assert again == saved

    await page.locator("#cycle-product").select_option(str(product["id"]))
    await expect(page.locator("#cycle-info")).to_contain_text("不发复购提醒", timeout=WAIT)
    await page.locator("#cycle-days").fill("30")
    await page.locator("#cycle-save").press("Enter")
    await expect(page.locator("#cycle-info")).to_contain_text("你设置的 30 天", timeout=WAIT)
    cycle = await client.get(
        f"/api/host/products/{product['id']}/repurchase-cycle", headers=shop.host.headers
    )
    assert cycle.json()["effectiveDays"] == 30 and cycle.json()["source"] == "host"


async def test_a_hosts_staff_do_not_see_the_hosts_channel_settings(pages, client, user_factory):
    shop = await shop_with_members(client, user_factory, "chst", 1)
    staff = await user_factory("chst_staff")
    added = await client.post(
        "/api/host/staff", json={"username": staff.username}, headers=shop.host.headers
    )
    assert added.status_code in (200, 201), added.text
    page = await pages.open("/host/outreach", staff, locale="zh-CN")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT)
    await expect(page.locator("#channels-card")).to_be_hidden()
    await expect(page.locator("#cycles-card")).to_be_hidden()
