"""A buyer on a phone (420 px wide): adds an address, buys in the live room with it preselected,
finds the order under 待发货 with the address, follows it to its page (timeline, pictures) and
files an after-sales request through the form, with a photo; a second buyer with too little in
the wallet is offered the other ways to pay, and reads the statement in words."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.support import TestUser, live_room_with_product

WAIT = 15_000


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 320), color).save(out, format="PNG")
    return out.getvalue()


async def _picture(client, host: TestUser) -> str:
    response = await client.post(
        "/api/uploads/images",
        files={"file": ("tea.png", _png((40, 140, 90)), "image/png")},
        headers=host.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()["url"]


async def _room_with_pinned_product(client, host: TestUser, **product):
    room, item = await live_room_with_product(client, host, **product)
    pinned = await client.post(
        f"/api/rooms/{room['id']}/pin", json={"productId": item["id"]}, headers=host.headers
    )
    assert pinned.status_code == 200, pinned.text
    return room, item


async def test_a_buyer_adds_an_address_buys_in_the_room_and_asks_for_a_refund_on_a_phone(
    pages, client, user_factory
):
    host = await user_factory("leaf_host", ["host"])
    buyer = await user_factory("leaf_fan")
    picture = await _picture(client, host)
    room, product = await live_room_with_product(
        client, host, price=1990, stock=5, title="Longjing"
    )
    patched = await client.patch(
        f"/api/products/{product['id']}", json={"images": [picture]}, headers=host.headers
    )
    assert patched.status_code == 200, patched.text
    await client.post(
        f"/api/rooms/{room['id']}/pin", json={"productId": product["id"]}, headers=host.headers
    )

    # The address book: empty, then one address added through the form (the phone checked).
    page = await pages.open("/me/addresses", buyer, mobile=True)
    await expect(page.locator("#addresses")).to_contain_text("No addresses yet", timeout=WAIT)
    await page.get_by_role("button", name="Add an address").click()
    await page.get_by_label("Recipient").fill("Wang Fang")
    await page.get_by_label("Mobile number").fill("139 1234 5678x")
    await page.get_by_label("Province / state").fill("浙江省")
    await page.get_by_label("City").fill("杭州市")
    await page.get_by_label("District (optional)").fill("西湖区")
    await page.get_by_label("Street address").fill("龙井路 18 号")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#book-phone-error")).to_contain_text("valid mobile number")
    await page.get_by_label("Mobile number").fill("139 1234 5678")
    await page.get_by_role("button", name="Save").click()
    card = page.locator("#addresses .address-card")
    await expect(card).to_have_count(1, timeout=WAIT)
    await expect(card).to_contain_text("Wang Fang")
    await expect(card).to_contain_text("浙江省 杭州市 西湖区 龙井路 18 号")
    await expect(card.locator(".default-badge")).to_have_text("Default")
    await screenshot(page, "buyer-addresses")

    # In the room: the default address is preselected; two units, paid on the gateway's page.
    page = await pages.open(f"/rooms/{room['id']}", buyer, mobile=True)
    await page.locator("#pinned-buy").click(timeout=WAIT)
    await expect(page.locator("#buy-address-chosen")).to_contain_text("Wang Fang", timeout=WAIT)
    await expect(page.locator("#buy-address-chosen")).to_contain_text("139****5678")
    await page.locator("#buy-quantity").fill("2")
    await expect(page.locator("#buy-total")).to_have_text(re.compile(r"39\.80"), timeout=WAIT)
    await expect(page.locator("#buy-original")).to_have_text(re.compile(r"39\.80"))
    await page.locator("#buy-quantity").fill("6")
    await expect(page.locator("#buy-stock")).to_have_text("Not enough stock: only 5 left")
    await expect(page.get_by_role("button", name="Pay", exact=True)).to_be_disabled()
    await page.locator("#buy-quantity").fill("2")
    await expect(page.locator("#buy-stock")).to_be_empty()
    await screenshot(page, "buyer-buy-sheet")
    await page.get_by_role("button", name="Pay", exact=True).click()
    frame = page.frame_locator("iframe.pay-frame")
    await expect(frame.locator("#pay")).to_be_visible(timeout=WAIT)
    # The gateway's page fits its frame on a phone: its pay button is in view without scrolling.
    box = await page.locator("iframe.pay-frame").bounding_box()
    pay_box = await frame.locator("#pay").bounding_box()
    assert box and pay_box and pay_box["y"] + pay_box["height"] <= box["y"] + box["height"]
    assert pay_box["x"] + pay_box["width"] <= box["x"] + box["width"]
    await screenshot(page, "buyer-sandbox-pay-frame")
    await frame.locator("#pay").click()
    await expect(page.locator("#buy-paid")).to_be_visible(timeout=WAIT)

    # My orders: under 待发货 (to ship) with its count, the picture and where it goes.
    page = await pages.open("/me/orders", buyer, mobile=True)
    to_ship = page.get_by_role("tab", name=re.compile(r"^To ship"))
    await expect(to_ship.locator(".count")).to_have_text("1", timeout=WAIT)
    await to_ship.click()
    await expect(to_ship).to_have_attribute("aria-selected", "true")
    order = page.locator("#orders article")
    await expect(order).to_have_count(1, timeout=WAIT)
    await expect(order.locator(".badge")).to_have_text("To be shipped")
    await expect(order).to_contain_text("Wang Fang")
    await expect(order).to_contain_text("龙井路 18 号")
    await expect(order.locator(".order-item img")).to_have_attribute("src", re.compile(r"^/media/"))
    await page.get_by_role("tab", name=re.compile(r"^To pay")).click()
    await expect(page.locator("#orders")).to_contain_text("No orders here", timeout=WAIT)
    await to_ship.click()
    await expect(order).to_have_count(1, timeout=WAIT)
    await screenshot(page, "buyer-orders-to-ship")
    order_id = int((await order.get_attribute("data-order-id")) or 0)

    # The host ships it; the order's page shows the timeline with the carrier and the number.
    shipped = await client.post(
        f"/api/orders/{order_id}/ship",
        json={"trackingNo": "SF1234567890", "carrier": "SF"},
        headers=host.headers,
    )
    assert shipped.status_code == 200, shipped.text
    await order.get_by_role("link", name="Order details").click()
    await page.wait_for_url(f"**/me/orders/{order_id}", timeout=WAIT)
    timeline = page.locator("#order-timeline")
    await expect(timeline).to_contain_text("Order placed", timeout=WAIT)
    await expect(timeline).to_contain_text("Paid (online)")
    await expect(timeline).to_contain_text("Shipped: SF Express SF1234567890")
    await expect(timeline.locator("li.todo")).to_have_text("Waiting for you to confirm receipt")
    await expect(page.locator("#order-address")).to_contain_text("Wang Fang")
    await screenshot(page, "buyer-order-detail")

    # After-sales: one of the two units, a reason from the list, words and a photo.
    await page.get_by_role("button", name="Return / refund").click()
    form = page.locator("#after-sales-form")
    await expect(form).to_be_visible(timeout=WAIT)
    await expect(page.locator("#refund-amount")).to_have_value("39.80")
    units = form.get_by_label("Quantity of Longjing to return")
    await units.fill("1")
    await expect(page.locator("#refund-amount")).to_have_value("19.90")
    await expect(page.locator("#refund-max")).to_contain_text("19.90")
    await form.get_by_role("button", name="Send request").click()
    await expect(page.locator("#refund-error")).to_have_text("Choose a reason")
    await form.get_by_label("Reason").select_option(label="Arrived damaged")
    await form.get_by_label("Details (optional)").fill("The tin was dented")
    await page.locator("#refund-photos").set_input_files(
        files=[{"name": "dent.png", "mimeType": "image/png", "buffer": _png((180, 60, 60))}]
    )
    await expect(page.locator("#refund-photo-list img")).to_have_count(1, timeout=WAIT)
    await screenshot(page, "buyer-after-sales-form")
    await form.get_by_role("button", name="Send request").click()
    await expect(page.locator("#order-notice")).to_contain_text("sent", timeout=WAIT)
    refund = page.locator("#order-refunds .refund-card")
    await expect(refund).to_have_count(1)
    await expect(refund.locator(".badge")).to_have_text("Waiting for the shop")
    await expect(refund).to_contain_text("Arrived damaged · The tin was dented")
    await expect(refund.locator(".photos img")).to_have_count(1)
    await expect(page.locator("#order-badge")).to_have_text("After-sales in progress")
    await screenshot(page, "buyer-refund-progress")

    detail = (await client.get(f"/api/orders/{order_id}", headers=buyer.headers)).json()
    [asked] = detail["refunds"]
    assert (asked["amount"], asked["reasonCode"], len(asked["photos"])) == (1990, "damaged", 1)
    assert detail["address"]["name"] == "Wang Fang"


async def test_too_little_in_the_wallet_offers_a_top_up_and_the_statement_reads_as_words(
    pages, client, user_factory
):
    host = await user_factory("cup_host", ["host"])
    buyer = await user_factory("cup_fan")
    room, _ = await _room_with_pinned_product(
        client, host, price=2550, stock=3, title="Celadon cup"
    )

    # No address yet: the sheet asks for one inline and saves it to the book.
    page = await pages.open(f"/rooms/{room['id']}", buyer, mobile=True, locale="zh-CN")
    await page.locator("#pinned-buy").click(timeout=WAIT)
    await expect(page.locator("#buy-address")).to_contain_text("请填写收货地址", timeout=WAIT)
    await page.get_by_role("button", name="钱包支付", exact=True).click()
    # 0 in the wallet: nothing is placed; the other ways to pay are offered.
    short = page.locator("#buy-short")
    await expect(short).to_contain_text("不足以支付", timeout=WAIT)
    assert (await client.get("/api/me/orders", headers=buyer.headers)).json()["items"] == []
    await page.locator("#buy-addr-name").fill("赵敏")
    await page.locator("#buy-addr-phone").fill("13912345678")
    await page.locator("#buy-addr-province").fill("江苏省")
    await page.locator("#buy-addr-city").fill("苏州市")
    await page.locator("#buy-addr-detail").fill("平江路 3 号")
    await screenshot(page, "buyer-wallet-short")
    await page.locator("#buy-topup").click()
    frame = page.frame_locator("iframe.pay-frame")
    await frame.locator("#pay").click(timeout=WAIT)
    # The top-up lands; the wallet pays the order by itself.
    await expect(page.locator("#buy-paid")).to_be_visible(timeout=WAIT)
    [order] = (await client.get("/api/me/orders", headers=buyer.headers)).json()["items"]
    assert order["status"] == "paid" and order["paymentMethod"] == "wallet"
    assert order["address"]["name"] == "赵敏"
    book = (await client.get("/api/me/addresses", headers=buyer.headers)).json()["items"]
    assert [(a["name"], a["isDefault"]) for a in book] == [("赵敏", True)]

    page = await pages.open("/me/wallet", buyer, mobile=True, locale="zh-CN")
    entries = page.locator("#entries")
    await expect(entries).to_contain_text("充值", timeout=WAIT)
    await expect(entries).to_contain_text(f"订单 #{order['id']} 付款")
    await expect(entries.get_by_role("link", name=f"订单 #{order['id']} 付款")).to_have_attribute(
        "href", f"/me/orders/{order['id']}"
    )
    await expect(entries).not_to_contain_text("payment:")
    await screenshot(page, "buyer-wallet-words")
