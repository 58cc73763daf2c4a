"""A guest opens a distributor's poster link on a phone, signs up on the spot, and is the
distributor's bound buyer before buying anything; then buys, and the distributor's page shows the
commission with when it settles (a date once the buyer has the goods)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.support import create_product

WAIT = 15_000


async def test_a_guest_signs_up_from_a_poster_link_and_is_bound_before_any_order(
    pages, client, user_factory
):
    host = await user_factory("poster_host", ["host"])
    sharer = await user_factory("poster_sharer", ["distributor"])
    became = await client.post("/api/distributors", json={}, headers=sharer.headers)
    assert became.status_code in (200, 201), became.text
    tea = await create_product(client, host, price=8800, stock=9, title="Anji white tea")

    # The link the poster carries: the library's, for this product.
    made = await client.post(
        "/api/distributors/me/library/links", json={"productId": tea["id"]}, headers=sharer.headers
    )
    assert made.status_code == 201, made.text
    poster = await client.get(
        f"/api/distributors/me/posters?productId={tea['id']}", headers=sharer.headers
    )
    assert poster.status_code == 200 and poster.content.startswith(b"\x89PNG"), poster.text
    link = made.json()["url"]
    path = "/s/" + link.rsplit("/s/", 1)[1]

    dashboard = await pages.open("/distributor", sharer, mobile=True, locale="zh-CN")
    buyers = dashboard.locator("#buyers-section")
    await expect(buyers).to_contain_text("还没有绑定的客户", timeout=WAIT)

    # A guest (no account, a phone) scans it: the product page; buying asks for an account.
    phone = await pages.open(path, None, mobile=True)
    await phone.wait_for_url(f"**/products/{tea['id']}", timeout=WAIT)
    await phone.get_by_role("button", name="Buy", exact=True).click()
    await phone.get_by_role("link", name="Log in").last.click(timeout=WAIT)
    await phone.wait_for_url("**/login**", timeout=WAIT)
    await phone.locator("#mode").click()
    await phone.locator("#username").fill("poster_newcomer")
    await phone.locator("#display-name").fill("Newcomer")
    await phone.locator("#password").fill("a long enough passphrase 1")
    await phone.locator("#submit").click()
    await phone.wait_for_url(f"**/products/{tea['id']}", timeout=WAIT)

    # Bound at sign-up: the distributor sees the buyer before any order.
    await dashboard.reload()
    await expect(buyers).to_contain_text("1 位客户绑定了你", timeout=WAIT)
    await expect(buyers.locator("li")).to_contain_text("0 笔订单")
    await screenshot(dashboard, "distributor-bound-before-order")
    bound = (await client.get("/api/distributors/me", headers=sharer.headers)).json()
    assert (bound["boundBuyers"], bound["orders"]) == (1, 0), bound

    # The newcomer buys with an address typed in the sheet and pays on the gateway's page.
    await phone.get_by_role("button", name="Buy", exact=True).click()
    await phone.locator("#buy-addr-name").fill("Xu Ming")
    await phone.locator("#buy-addr-phone").fill("13700001111")
    await phone.locator("#buy-addr-province").fill("浙江省")
    await phone.locator("#buy-addr-city").fill("湖州市")
    await phone.locator("#buy-addr-detail").fill("安吉县递铺街道 8 号")
    await expect(phone.locator("#buy-total")).to_have_text(re.compile(r"88\.00"), timeout=WAIT)
    await phone.get_by_role("button", name="Pay", exact=True).click()
    await phone.frame_locator("iframe.pay-frame").locator("#pay").click(timeout=WAIT)
    await expect(phone.locator("#buy-paid")).to_be_visible(timeout=WAIT)

    [commission] = (
        await client.get("/api/distributors/me/commissions", headers=sharer.headers)
    ).json()["items"]
    assert (commission["status"], commission["amount"]) == ("pending", 880), commission
    await dashboard.reload()
    row = dashboard.locator("#commissions tbody tr", has_text=f"#{commission['orderId']}")
    await expect(row).to_contain_text("买家确认收货后，售后期结束即结算", timeout=WAIT)
    await expect(row).to_contain_text("8.80")

    # Shipped and received: the row now names the day it settles, the API's day.
    buyer_token = await phone.context.cookies()
    token = next(c["value"] for c in buyer_token if c["name"] == "lc_token")
    order_id = commission["orderId"]
    shipped = await client.post(
        f"/api/orders/{order_id}/ship",
        json={"carrier": "YTO", "trackingNo": "YT0001"},
        headers=host.headers,
    )
    assert shipped.status_code == 200, shipped.text
    received = await client.post(
        f"/api/orders/{order_id}/confirm", headers={"Authorization": f"Bearer {token}"}
    )
    assert received.status_code == 200, received.text
    [commission] = (
        await client.get("/api/distributors/me/commissions", headers=sharer.headers)
    ).json()["items"]
    assert commission["settleRule"] == "after_sales" and commission["settlesAt"], commission
    await dashboard.reload()
    await expect(row).to_contain_text("预计", timeout=WAIT)
    settles = await dashboard.evaluate(
        "async (at) => (await import('/static/js/money.js')).dateTime(at)", commission["settlesAt"]
    )
    await expect(row).to_contain_text(f"预计 {settles} 结算")
    await screenshot(dashboard, "distributor-commission-settle-date")
