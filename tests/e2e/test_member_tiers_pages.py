"""Member tiers in the browser: a host saves its ladder from the tiers page (Chinese first), and a
buyer sees their member card, "再消费 ¥X 升级", in /me and on the host's product page."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.members.tiers_support import buy
from tests.support import create_product

WAIT = 15_000  # ms: an upper bound for a request to answer, not a timing claim


async def test_a_host_saves_tiers_and_a_buyer_sees_the_card(pages, client, user_factory) -> None:
    host = await user_factory("tea_host", ["host"])
    buyer = await user_factory("buyer")
    page = await pages.open("/host/tiers", host, locale="zh-CN")
    rows = page.locator("#tiers tr")
    await expect(rows).to_have_count(4, timeout=WAIT)
    await expect(rows.nth(1).locator("[name=name]")).to_have_value("银卡")
    await page.get_by_label("本自然月").check()
    await page.locator("#ladder-form button[type=submit]").click()
    await expect(page.locator("#ladder-ok")).to_have_text("已保存", timeout=WAIT)
    # A bad threshold answers in words, in the page's language.
    await rows.nth(2).locator("[name=threshold]").fill("50")
    await page.locator("#ladder-form button[type=submit]").click()
    await expect(page.locator("#ladder-error")).to_contain_text("等级设置有误", timeout=WAIT)
    await expect(page.locator("#benefits fieldset")).to_have_count(4)

    product = await create_product(client, host, price=150_00, stock=10, title="龙井")
    await buy(client, buyer, product["skus"][0]["id"])
    me = await pages.open("/me", buyer, locale="zh-CN")
    card = me.locator("#memberships .member-card")
    await expect(card).to_have_count(1, timeout=WAIT)
    await expect(card.locator(".badge")).to_have_text("银卡")
    await expect(card).to_contain_text("再消费 ¥350.00 升级金卡")

    shop = await pages.open(f"/products/{product['id']}", buyer, locale="en-US")
    shown = shop.locator("#member-card .member-card")
    await expect(shown).to_contain_text("350.00 more to reach 金卡", timeout=WAIT)
    await expect(shown).to_contain_text("This calendar month")

    # In the host's live room, on a phone: the bag opens with the member's card at its top.
    room = (
        await client.post("/api/rooms", json={"title": "龙井品鉴"}, headers=host.headers)
    ).json()
    live = await client.post(f"/api/rooms/{room['id']}/start", headers=host.headers)
    assert live.status_code == 200, live.text
    watching = await pages.open(f"/rooms/{room['id']}", buyer, locale="zh-CN", mobile=True)
    await watching.locator("#bag-button").click()
    in_bag = watching.locator("#bag-member .member-card")
    await expect(in_bag).to_contain_text("再消费 ¥350.00 升级金卡", timeout=WAIT)
    await expect(in_bag.locator(".badge")).to_have_text("银卡")
    await screenshot(watching, "room-bag-member-card")
