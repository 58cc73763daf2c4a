"""A host runs the shop from the pages: from the console to the product editor, a product with
a picture and two SKUs over a spec (颜色: 红, 蓝), listed with its thumbnail; then, in a live room,
the viewer's bag shows that thumbnail too."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.catalog.test_uploads import picture
from tests.e2e.support import screenshot
from tests.support import create_room, go_live

WAIT = 15_000


async def test_a_host_creates_a_product_with_two_skus_and_a_picture_and_sees_it_listed(
    pages, client, user_factory
):
    host = await user_factory("shop_host", ["host"])
    viewer = await user_factory("shop_viewer")
    page = await pages.open("/host", host, locale="zh-CN")
    await page.get_by_role("link", name="商品管理").click()
    await page.wait_for_url("**/host/products", timeout=WAIT)
    await expect(page.locator("#products")).to_contain_text("还没有商品", timeout=WAIT)

    await page.get_by_role("button", name="新建商品").click()
    await expect(page.locator("#p-title")).to_be_focused()
    await page.locator("#p-title").fill("真丝围巾")
    await page.locator("#p-description").fill("桑蚕丝，双面可戴。")
    await page.locator("#image-file").set_input_files(
        [
            {"name": "scarf.png", "mimeType": "image/png", "buffer": picture("PNG", (900, 600))},
            {"name": "red.jpg", "mimeType": "image/jpeg", "buffer": picture("JPEG", (600, 900))},
        ]
    )
    images = page.locator("#images li img")
    await expect(images).to_have_count(2, timeout=WAIT)
    await expect(images.first).to_have_attribute("src", re.compile(r"^/media/img/.+\.thumb\.webp$"))
    # The second picture becomes the cover.
    await page.get_by_role("button", name="图 2 前移").click()
    await expect(page.locator("#images li").first).to_contain_text("封面")

    await page.get_by_role("button", name="添加规格").click()
    await page.locator("#spec-name-0").fill("颜色")
    await page.locator("#spec-values-0").fill("红, 蓝")
    await page.locator("#spec-values-0").press("Tab")
    rows = page.locator("#skus tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("红")
    await expect(rows.nth(1)).to_contain_text("蓝")
    await rows.nth(0).locator(".sku-price").fill("129")
    await rows.nth(0).locator(".sku-stock").fill("5")
    await rows.nth(1).locator(".sku-price").fill("139.50")
    await rows.nth(1).locator(".sku-stock").fill("3")
    await rows.nth(1).get_by_role("combobox").select_option(label="图 2")
    await screenshot(page, "host-product-editor")
    await page.get_by_role("button", name="保存").click()

    listed = page.locator("#products article")
    await expect(listed).to_have_count(1, timeout=WAIT)
    await expect(page.locator("#editor")).to_be_hidden()
    await expect(listed).to_contain_text("真丝围巾")
    await expect(listed).to_contain_text("在售")
    await expect(listed).to_contain_text("2 个 SKU")
    await expect(listed).to_contain_text("红、蓝")
    await expect(listed.locator(".price")).to_have_text(re.compile(r"129\.00.+139\.50"))
    thumb = listed.locator("img.thumb")
    await expect(thumb).to_have_attribute("src", re.compile(r"^/media/img/.+\.thumb\.webp$"))
    # The thumbnail really loaded, and is the server's (at most 400 px).
    await loaded(page, "#products article img.thumb")
    assert 0 < await thumb.evaluate("img => Math.max(img.naturalWidth, img.naturalHeight)") <= 400
    await screenshot(page, "host-products")

    products = (await client.get(f"/api/products?hostId={host.id}&includeOffShelf=true")).json()[
        "items"
    ]
    assert len(products) == 1
    product = products[0]
    assert product["specs"] == [{"name": "颜色", "values": ["红", "蓝"]}]
    assert [(s["name"], s["price"], s["stock"]) for s in product["skus"]] == [
        ("红", 12900, 5),
        ("蓝", 13950, 3),
    ]
    assert len(product["images"]) == 2 and product["thumbUrl"] == thumb_src(product)
    assert product["skus"][1]["image"] == product["images"][1]

    # Taken off shelf from the list, and back.
    await listed.get_by_role("button", name="下架").click()
    await expect(listed).to_contain_text("已下架", timeout=WAIT)
    assert (await client.get(f"/api/products/{product['id']}")).status_code == 404
    await listed.get_by_role("button", name="重新上架").click()
    await expect(listed).to_contain_text("在售", timeout=WAIT)

    # In a live room, the viewer's bag shows the product's thumbnail.
    room = await create_room(client, host, title="围巾专场")
    shown = await client.put(
        f"/api/rooms/{room['id']}/products",
        json={"productIds": [product["id"]]},
        headers=host.headers,
    )
    assert shown.status_code == 200, shown.text
    await go_live(client, host, room["id"])
    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True, locale="zh-CN")
    await page.locator("#bag-button").click()
    bag_thumb = page.locator("#bag-list li img.thumb")
    await expect(bag_thumb).to_have_attribute("src", product["thumbUrl"], timeout=WAIT)
    await loaded(page, "#bag-list li img.thumb")
    await screenshot(page, "room-bag-with-pictures")


def thumb_src(product: dict) -> str:
    return product["thumbs"][0]


async def loaded(page, selector: str) -> None:
    """Wait until the image at `selector` has really been fetched and decoded."""
    await page.wait_for_function(
        "sel => { const img = document.querySelector(sel);"
        " return img && img.complete && img.naturalWidth > 0; }",
        arg=selector,
        timeout=WAIT,
    )
