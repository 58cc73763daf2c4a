"""A flash sale on a phone: the host starts it from the room console, every viewer sees it count
down on the server's clock, the viewer buys at zero and pays from the wallet, the remaining count
falls, and 已抢光 shows the moment the last unit is gone."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.promotions.support import fund
from tests.support import ADDRESS, add_address, live_room_with_product

WAIT = 20_000  # ms: an upper bound for a frame to cross, not a timing claim
COUNTDOWN = 15  # s: the viewer is in the room before the sale is made (it arrives as an event)


async def test_a_flash_sale_counts_down_sells_at_zero_and_shows_sold_out(
    pages, client, user_factory
):
    host = await user_factory("flash_host", ["host"])
    viewer = await user_factory("flash_fan")
    rival = await user_factory("flash_rival")
    await add_address(client, viewer)
    for buyer in (viewer, rival):
        await fund(buyer, 10_000)
    room, _ = await live_room_with_product(
        client, host, price=1990, stock=10, title="Longjing 250 g"
    )

    # The viewer is watching before the sale is made: it arrives live and counts down from there
    # (so the countdown need not outlast a page load on a loaded machine).
    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True, locale="zh-CN")
    console = await pages.open(f"/host/rooms/{room['id']}", host, locale="zh-CN")
    await expect(console.locator("#flash-sku option")).to_have_count(1, timeout=WAIT)
    await console.locator("#flash-price").fill("5")
    await console.locator("#flash-quantity").fill("2")
    await console.locator("#flash-limit").fill("1")
    # Long enough to watch it count down; the test waits for zero.
    await console.locator("#flash-countdown").fill(str(COUNTDOWN))
    await console.locator("#flash-create").click()
    await expect(console.locator("#flash-ok")).to_contain_text("Longjing", timeout=WAIT)
    sales = (await client.get(f"/api/rooms/{room['id']}/flash-sales", headers=host.headers)).json()
    sale_id = sales[0]["id"]
    await expect(console.locator(f"#flash-row-{sale_id}")).to_be_visible()

    card = page.locator(f"#flash-{sale_id}")
    button = page.locator(f"#flash-buy-{sale_id}")
    await expect(card).to_contain_text("距开抢", timeout=WAIT)
    await expect(card).to_contain_text("¥5.00")
    await expect(button).to_be_disabled()
    await screenshot(page, "flash-countdown")

    # At zero (the server's clock) the button opens: 立即抢购, 剩余 2 件.
    await expect(button).to_be_enabled(timeout=(COUNTDOWN + 20) * 1000)
    await expect(page.locator(f"#flash-left-{sale_id}")).to_have_text("剩余 2 件")
    await button.click()
    await expect(page.locator("#buy-address-chosen")).to_be_visible(timeout=WAIT)
    await page.locator("#flash-pay").click()
    await expect(page.locator("#flash-result")).to_have_text("抢到了！已支付", timeout=WAIT)
    await page.keyboard.press("Escape")
    await expect(page.locator(f"#flash-left-{sale_id}")).to_have_text("剩余 1 件", timeout=WAIT)

    # Someone else takes the last unit: 已抢光, at once, and the button is off.
    bought = await client.post(
        f"/api/flash-sales/{sale_id}/orders",
        json={"quantity": 1, "address": ADDRESS},
        headers={**rival.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert bought.status_code == 201, bought.text
    await expect(page.locator(f"#flash-gone-{sale_id}")).to_have_text("已抢光", timeout=WAIT)
    await expect(button).to_be_disabled()
    await expect(button).to_have_text(re.compile("已抢光"))
    await screenshot(page, "flash-sold-out")

    orders = (await client.get("/api/me/orders", headers=viewer.headers)).json()
    items = orders["items"] if isinstance(orders, dict) else orders
    assert [o["status"] for o in items] == ["paid"] and items[0]["payAmount"] == 500
