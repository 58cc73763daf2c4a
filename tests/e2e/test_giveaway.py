"""福袋 on a phone: the host starts it from the console, a viewer enters by sending the keyword
through the room chat, the draw reveals the seed and the winner, who claims the prize."""

from __future__ import annotations

import hashlib

from playwright.async_api import expect

from livecommerce.domains.marketing import giveaway_room
from tests.e2e.support import screenshot
from tests.marketing.giveaway_support import draw, end_now
from tests.promotions.support import balance, fund
from tests.support import live_room_with_product

WAIT = 15_000  # ms: an upper bound for a frame to cross, not a timing claim


async def test_a_viewer_enters_by_comment_and_wins_the_draw(pages, client, user_factory) -> None:
    giveaway_room.forget_all()
    host = await user_factory("tea_host", ["host"])
    viewer = await user_factory("tea_fan")
    await fund(host, 500)
    room, _ = await live_room_with_product(client, host, price=990, title="Longjing 250 g")

    console = await pages.open(f"/host/rooms/{room['id']}", host, locale="zh-CN")
    await expect(console.locator("#gw-status")).to_have_text("没有进行中的福袋", timeout=WAIT)
    await console.locator("#gw-amount").fill("1.50")
    await console.locator("#gw-winners").fill("1")
    await console.locator("#gw-keyword").fill("福袋来了")
    await console.locator("#gw-start").click()
    await expect(console.locator("#gw-status")).to_contain_text("进行中", timeout=WAIT)

    page = await pages.open(f"/rooms/{room['id']}", viewer, locale="zh-CN", mobile=True)
    badge = page.locator("#giveaway-badge")
    await expect(badge).to_contain_text("福袋", timeout=WAIT)
    await expect(badge).to_contain_text("后开奖")
    await badge.click()
    sheet = page.locator("#giveaway-sheet")
    await expect(sheet).to_contain_text("发送口令「福袋来了」")
    await expect(sheet.locator("#gw-state")).to_have_text("完成全部任务即自动参与", timeout=WAIT)
    await sheet.locator("#gw-send-keyword").click()  # sent through the room chat
    await expect(sheet.locator("[data-task=comment]")).to_contain_text("已评论", timeout=WAIT)
    await expect(sheet.locator("#gw-state")).to_have_text("已参与，等待开奖")
    await expect(page.locator("#chat li", has_text="福袋来了")).to_be_visible(timeout=WAIT)
    await screenshot(page, "giveaway-entered")
    await sheet.get_by_role("button", name="关闭").click()

    await page.locator("#follow-button").click()
    await expect(page.locator("#follow-button")).to_have_text("已关注", timeout=WAIT)

    current = (await client.get(f"/api/rooms/{room['id']}/giveaways/current")).json()
    await end_now(current["id"])
    assert await draw(current["id"])  # the worker's job

    # The draw event opens the sheet for the winner: 中奖, and the seed behind the hash.
    won = page.locator("#gw-won")
    await expect(won).to_contain_text("恭喜你中奖了", timeout=WAIT)
    await expect(page.locator("#gw-winners li")).to_have_text(["T***n"])
    seed = await page.locator("#gw-seed").text_content()
    assert seed and hashlib.sha256(bytes.fromhex(seed)).hexdigest() == current["seedHash"]
    await page.locator("#gw-claim").click()
    await expect(won).to_contain_text("已存入钱包", timeout=WAIT)
    assert await balance(viewer) == 150
    await screenshot(page, "giveaway-won")
    await expect(console.locator("#gw-status")).to_contain_text("已开奖", timeout=WAIT)


async def test_a_product_prize_is_claimed_with_an_address_and_ships_free(
    pages, client, user_factory
) -> None:
    giveaway_room.forget_all()
    host = await user_factory("tea_host", ["host"])
    viewer = await user_factory("tea_fan")
    room, item = await live_room_with_product(client, host, price=990, title="Longjing 250 g")
    sku_id = item["skus"][0]["id"]

    console = await pages.open(f"/host/rooms/{room['id']}", host, locale="zh-CN")
    await expect(console.locator("#gw-status")).to_have_text("没有进行中的福袋", timeout=WAIT)
    await console.locator("#gw-kind").select_option("product")
    await expect(console.locator("#gw-sku")).to_be_visible()
    await expect(console.locator("#gw-amount")).to_be_hidden()
    await console.locator("#gw-sku").select_option(str(sku_id))
    await console.locator("#gw-winners").fill("1")
    await console.locator("#gw-keyword").fill("")
    await console.locator("#gw-start").click()
    await expect(console.locator("#gw-status")).to_contain_text("进行中", timeout=WAIT)

    page = await pages.open(f"/rooms/{room['id']}", viewer, locale="zh-CN", mobile=True)
    badge = page.locator("#giveaway-badge")
    await badge.click()
    sheet = page.locator("#giveaway-sheet")
    await expect(sheet).to_contain_text("实物 Longjing 250 g", timeout=WAIT)
    await expect(sheet.locator("#gw-state")).to_have_text("已参与，等待开奖", timeout=WAIT)

    current = (await client.get(f"/api/rooms/{room['id']}/giveaways/current")).json()
    await end_now(current["id"])
    assert await draw(current["id"])

    won = page.locator("#gw-won")
    await expect(won).to_contain_text("恭喜你中奖了", timeout=WAIT)
    await page.locator("#gw-claim").click()  # no address yet: asked for, nothing claimed
    await expect(won).to_contain_text("请先填写完整的收货地址", timeout=WAIT)
    await page.locator("#buy-addr-name").fill("赵敏")
    await page.locator("#buy-addr-phone").fill("13912345678")
    await page.locator("#buy-addr-province").fill("江苏省")
    await page.locator("#buy-addr-city").fill("苏州市")
    await page.locator("#buy-addr-detail").fill("平江路 3 号")
    await page.locator("#gw-claim").click()
    await expect(won).to_contain_text("奖品订单已生成", timeout=WAIT)
    await screenshot(page, "giveaway-product-claimed")
    href = await page.locator("#gw-order").get_attribute("href")
    assert href is not None
    order = (await client.get(f"/api{href.removeprefix('/me')}", headers=viewer.headers)).json()
    assert order["payAmount"] == 0 and order["status"] == "paid"
    assert order["address"]["name"] == "赵敏"
