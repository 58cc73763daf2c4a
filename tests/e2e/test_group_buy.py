"""On a phone: a buyer starts a group from the product page, shares its link, and a second buyer
who opens the link joins and fills it; both pages then say the group is full."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.marketing.group_support import group_product
from tests.promotions.support import fund
from tests.support import add_address, create_product, live_room_with_product


async def test_a_group_buy_shared_by_link_fills_with_a_second_buyer(client, user_factory, pages):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, price=1000, group_price=600, size=2)
    leader, friend = await user_factory("leader"), await user_factory("friend")
    for buyer in (leader, friend):
        await fund(buyer, 5_000)
        await add_address(client, buyer)

    page = await pages.open(f"/products/{product['id']}", leader, locale="zh-CN", mobile=True)
    await expect(page.locator("#group-alone")).to_have_text("单独购买 ¥10.00")
    await expect(page.locator("#group-start")).to_have_text("发起拼团 ¥6.00 (2人团)")
    await page.locator("#group-start").click()
    await page.locator("#group-pay-wallet").click()
    await page.wait_for_url("**/g/*")
    await expect(page.locator("#group-status")).to_have_text("还差 1 人")
    await expect(page.locator("#group-seats .group-face")).to_have_count(2)
    await expect(page.locator("#group-seats .group-face.empty")).to_have_count(1)
    await expect(page.locator("#group-share")).to_be_visible()
    share_url = await page.locator("#group-share-url").input_value()
    assert "/g/" in share_url
    await screenshot(page, "group-buy-leader")

    # The friend opens the shared link on their phone and joins.
    other = await pages.open(
        share_url.replace(pages.base_url, ""), friend, locale="zh-CN", mobile=True
    )
    await expect(other.locator("#group-status")).to_have_text("还差 1 人")
    await other.locator("#group-join").click()
    await other.locator("#group-pay-wallet").click()
    await expect(other.locator("#group-status")).to_have_text("拼团成功，商家即将发货")
    await expect(other.locator("#group-seats .group-face.empty")).to_have_count(0)
    await expect(other.locator("#group-join")).to_be_hidden()
    await screenshot(other, "group-buy-full")
    # The leader's page hears of it by itself.
    await expect(page.locator("#group-status")).to_have_text("拼团成功，商家即将发货")
    # And the product page now lists no group to join.
    again = await pages.open(f"/products/{product['id']}", friend, mobile=True)
    await expect(again.locator("#group-start")).to_be_visible()
    await expect(again.locator(".group-open")).to_have_count(0)


async def test_the_rooms_buy_sheet_offers_a_group_beside_buying_alone(client, user_factory, pages):
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    await fund(viewer, 5_000)
    await add_address(client, viewer)
    room, product = await live_room_with_product(client, host, price=1000, title="拼团茶")
    sku_id = product["skus"][0]["id"]
    offered = await client.put(
        f"/api/products/{product['id']}/group-buy",
        json={"groupSize": 3, "hours": 12, "prices": [{"skuId": sku_id, "price": 700}]},
        headers=host.headers,
    )
    assert offered.status_code == 200, offered.text
    pinned = await client.post(
        f"/api/rooms/{room['id']}/pin", json={"productId": product["id"]}, headers=host.headers
    )
    assert pinned.status_code == 200, pinned.text

    page = await pages.open(f"/rooms/{room['id']}", viewer, locale="zh-CN", mobile=True)
    await page.locator("#pinned-buy").click(timeout=10_000)
    await expect(page.locator("#group-alone")).to_have_text("单独购买 ¥10.00")
    await expect(page.locator("#group-start")).to_have_text("发起拼团 ¥7.00 (3人团)")
    await page.locator("#group-start").click()
    await page.locator("#group-pay-wallet").click()
    await expect(page.locator("#group-done")).to_be_visible()
    assert "/rooms/" in page.url  # the viewer stays in the room
    mine = (await client.get("/api/me/group-buys", headers=viewer.headers)).json()
    assert [(g["group"]["paidCount"], g["group"]["status"]) for g in mine] == [(1, "open")]
    order_id = mine[0]["orderId"]

    # The host's desk shows the paid order as 拼团中, with nothing to ship yet.
    desk = await pages.open("/host/orders", host, locale="zh-CN")
    row = desk.locator(f'tr[data-order-id="{order_id}"]')
    await expect(row.locator(".badge.held")).to_have_text("拼团中")
    await expect(row.locator("td.actions button")).to_have_count(0)
    # The buyer's orders page lists the group (我的拼团) with its seats.
    orders = await pages.open("/me/orders", viewer, locale="zh-CN", mobile=True)
    await expect(orders.locator("#my-groups-h")).to_have_text("我的拼团")
    await expect(orders.locator(f'#my-groups li[data-order-id="{order_id}"]')).to_contain_text(
        "1/3"
    )


async def test_the_host_sets_a_products_group_terms_in_the_product_editor(
    client, user_factory, pages
):
    host = await user_factory("host", ["host"])
    product = await create_product(client, host, price=1000, title="拼团茶")
    sku_id = product["skus"][0]["id"]
    page = await pages.open("/host/products", host, locale="zh-CN")
    await page.locator(f'[data-product-id="{product["id"]}"] button', has_text="编辑").click()
    form = page.locator("#group-terms-form")
    await expect(form).to_be_visible()
    await page.locator("#g-enabled").check()
    await page.locator("#g-size").fill("3")
    await page.locator("#g-hours").fill("48")
    await page.locator(f"#g-price-{sku_id}").fill("12")  # not below ¥10: refused, said why
    await page.locator("#g-save").click()
    await expect(form.locator(".error")).to_contain_text("拼团设置无效")
    await page.locator(f"#g-price-{sku_id}").fill("6.50")
    await page.locator("#g-save").click()
    await expect(form.locator(".notice")).to_have_text("拼团设置已保存")
    offer = (await client.get(f"/api/products/{product['id']}/group-buy")).json()
    assert (offer["groupSize"], offer["hours"], offer["prices"][0]["price"]) == (3, 48, 650)
