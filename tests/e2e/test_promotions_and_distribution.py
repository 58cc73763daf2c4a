"""Coupons, red packets and distribution in the browser: the host drops them from the console,
viewers claim and grab them in the room, a distributor's link brings a buyer whose purchase
shows up as pending commission in the dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from livecommerce.domains.promotions.tables import RedPacket
from tests.e2e.support import screenshot
from tests.support import add_address, complete_on_sandbox, create_room, live_room_with_product

WAIT = 15_000


async def _pin(client, host, room_id: int, product_id: int) -> None:
    response = await client.post(
        f"/api/rooms/{room_id}/pin", json={"productId": product_id}, headers=host.headers
    )
    assert response.status_code == 200, response.text


async def _top_up(client, user, fen: int) -> None:
    """Money into the wallet the way a person adds it: a top-up paid on the sandbox gateway."""
    started = await client.post("/api/me/wallet/topup", json={"amount": fen}, headers=user.headers)
    assert started.status_code == 201, started.text
    done = await complete_on_sandbox(client, user, started.json()["payUrl"])
    assert done.status_code == 200, done.text
    wallet = await client.get("/api/me/wallet", headers=user.headers)
    assert wallet.status_code == 200 and wallet.json()["available"] >= fen, wallet.text


async def _pay_on_gateway(page) -> None:
    await page.get_by_role("button", name="Pay", exact=True).click()
    await page.frame_locator("iframe.pay-frame").locator("#pay").click(timeout=WAIT)
    await expect(page.locator("#buy-paid")).to_be_visible(timeout=WAIT)


async def test_viewer_claims_a_dropped_coupon_and_pays_less_with_it(pages, client, user_factory):
    host = await user_factory("coupon_host", ["host"])
    viewer = await user_factory("coupon_fan")
    rival = await user_factory("coupon_rival")
    await add_address(client, viewer)
    sweeper = await user_factory("coupon_sweeper")
    room, product = await live_room_with_product(
        client, host, price=5900, stock=5, title="Biluochun 100 g"
    )
    await _pin(client, host, room["id"], product["id"])

    console = await pages.open(f"/host/rooms/{room['id']}", host)
    await expect(console.locator("#stat-orders")).to_have_text("0", timeout=WAIT)
    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True)
    await expect(page.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)
    late = await pages.open(f"/rooms/{room['id']}", rival, mobile=True)
    await expect(late.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)

    # The host drops a coupon: 10 yuan off, two copies.
    form = console.locator("#coupon-form")
    await form.get_by_label("Title").fill("Spring 10 off")
    await form.get_by_label("Amount off (yuan)").fill("10")
    await form.get_by_label("Quantity").fill("2")
    await form.get_by_role("button", name="Drop into the room").click()
    await expect(console.locator("#coupon-ok")).to_contain_text("Spring 10 off", timeout=WAIT)
    await expect(console.locator("#coupon-error")).to_be_empty()

    # It pops up in the room; the viewer claims it with the keyboard.
    card = page.locator("#drops .coupon", has_text="Spring 10 off")
    await expect(card).to_be_visible(timeout=WAIT)
    await expect(card).to_contain_text("¥10.00 off")
    claim = card.get_by_role("button", name="Claim Spring 10 off")
    await claim.focus()
    await page.keyboard.press("Enter")
    await page.locator("#bag-button").click()
    await expect(page.locator("#bag-coupons .coupon button")).to_have_text("Claimed", timeout=WAIT)
    await expect(page.locator("#bag-coupons .coupon button")).to_be_disabled()
    await page.keyboard.press("Escape")
    mine = await client.get("/api/me/coupons", headers=viewer.headers)
    assert [c["coupon"]["title"] for c in mine.json()["items"]] == ["Spring 10 off"]

    # The buy sheet picks it (the best coupon, priced by the API) and the total shows the
    # discount: 59.00 - 10.00; without it the total is 59.00 again.
    await page.locator("#pinned-buy").click()
    coupon = page.get_by_label("Coupon", exact=True)
    await expect(page.locator("#buy-total")).to_have_text(re.compile(r"49\.00"), timeout=WAIT)
    await expect(coupon.locator("option:checked")).to_have_text("Spring 10 off")
    await coupon.select_option(label="No coupon")
    await expect(page.locator("#buy-total")).to_have_text(re.compile(r"59\.00"))
    await coupon.select_option(label="Spring 10 off")
    await expect(page.locator("#buy-total")).to_have_text(re.compile(r"49\.00"))
    await _pay_on_gateway(page)
    await screenshot(page, "room-coupon-paid")

    await expect(console.locator("#order-feed li").first).to_contain_text(
        "Biluochun 100 g ×1", timeout=WAIT
    )
    await expect(console.locator("#stat-orders")).to_have_text("1", timeout=WAIT)
    await expect(console.locator("#stat-gmv")).to_have_text(re.compile(r"49\.00"), timeout=WAIT)
    [order] = (await client.get("/api/me/orders", headers=viewer.headers)).json()["items"]
    assert (
        order["status"] == "paid"
        and order["payAmount"] == 4900
        and order["userCouponId"] is not None
    )

    # Another browser of the same viewer (in Chinese) knows the coupon is theirs from the join
    # snapshot: "已领取", not a claim the server would refuse.
    again = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True, locale="zh-CN")
    await again.locator("#bag-button").click(timeout=WAIT)
    bag_card = again.locator("#bag-coupons .coupon", has_text="Spring 10 off")
    await expect(bag_card).to_contain_text("减 ¥10.00", timeout=WAIT)
    await expect(bag_card.get_by_role("button", name="已领取 Spring 10 off")).to_be_disabled()

    # The last copy goes to someone else; the rival's claim then says it is all gone.
    coupon_id = mine.json()["items"][0]["couponId"]
    taken = await client.post(f"/api/coupons/{coupon_id}/claim", json={}, headers=sweeper.headers)
    assert taken.status_code == 201, taken.text
    await late.locator("#bag-button").click()
    late_card = late.locator("#bag-coupons .coupon", has_text="Spring 10 off")
    await late_card.get_by_role("button", name="Claim Spring 10 off").click(timeout=WAIT)
    await expect(late_card.get_by_role("alert")).to_have_text(
        "This coupon is all gone", timeout=WAIT
    )
    await screenshot(late, "room-coupon-gone")


async def test_viewer_opens_a_red_packet_and_sees_the_best_luck(pages, client, user_factory):
    host = await user_factory("rp_host", ["host"])
    viewer = await user_factory("rp_fan")
    quick = await user_factory("rp_quick")
    slow = await user_factory("rp_slow")
    room = await create_room(client, host, title="Red packet night")
    started = await client.post(f"/api/rooms/{room['id']}/start", json={}, headers=host.headers)
    assert started.status_code == 200, started.text
    await _top_up(client, host, 10_000)

    console = await pages.open(f"/host/rooms/{room['id']}", host)
    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True)
    await expect(page.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)
    late = await pages.open(f"/rooms/{room['id']}", slow, mobile=True)
    await expect(late.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)

    # The host sends 8.88 yuan in two lucky parts.
    form = console.locator("#rp-form")
    await form.get_by_label("Total (yuan)").fill("8.88")
    await form.get_by_label("Parts").fill("2")
    await form.get_by_label("Greeting").fill("Thanks for watching")
    await form.get_by_role("button", name="Send red packet").click()
    await expect(console.locator("#rp-ok")).to_contain_text("8.88", timeout=WAIT)
    await expect(console.locator("#rp-error")).to_be_empty()

    dialog = page.locator("#rp-dialog")
    await expect(dialog).to_be_visible(timeout=WAIT)
    await expect(dialog).to_contain_text("Thanks for watching")
    await expect(late.locator("#rp-dialog")).to_be_visible(timeout=WAIT)
    [packet] = await RedPacket.select(RedPacket.id).where(RedPacket.room == room["id"])
    packet_id = packet["id"]

    # Someone else is quicker with the first part; the viewer gets the last (Open has focus).
    first = await client.post(f"/api/red-packets/{packet_id}/grab", json={}, headers=quick.headers)
    assert first.status_code == 200 and first.json()["outcome"] == "won", first.text
    await expect(dialog.get_by_role("button", name="Open")).to_be_focused()
    await page.keyboard.press("Enter")
    amount = dialog.locator("#rp-amount")
    await expect(amount).to_have_text(re.compile(r"¥\d+\.\d\d$"), timeout=WAIT)
    claims = dialog.locator("ul li")
    await expect(claims).to_have_count(2, timeout=WAIT)
    await expect(dialog).to_contain_text("Grabbed (2/2)")
    await expect(dialog.locator("li.best")).to_have_count(1)
    await expect(dialog.locator("li.best")).to_contain_text("Best luck")
    await screenshot(page, "room-red-packet")
    shown = await amount.text_content() or ""
    wallet = (await client.get("/api/me/wallet", headers=viewer.headers)).json()
    assert (
        f"{wallet['available'] / 100:.2f}" in shown
        and wallet["available"] + first.json()["amount"] == 888
    )

    # The slow viewer's envelope is empty now, and says so.
    late_dialog = late.locator("#rp-dialog")
    await late_dialog.get_by_role("button", name="Open").click()
    await expect(late_dialog).to_contain_text("Too late, it is all gone", timeout=WAIT)
    await expect(late_dialog.locator("#rp-amount")).to_have_count(0)
    await screenshot(late, "room-red-packet-empty")


async def test_a_viewer_becomes_a_distributor_and_shares_a_room_link_with_its_qr(
    pages, client, user_factory
):
    host = await user_factory("dist_host", ["host"])
    fan = await user_factory("dist_fan")
    room = await create_room(client, host, title="Share me")

    page = await pages.open("/distributor", fan)
    await expect(page.get_by_role("button", name="Become a distributor")).to_be_visible(
        timeout=WAIT
    )
    await expect(page.locator("#error")).to_be_empty()
    await page.get_by_role("button", name="Become a distributor").click()
    await expect(page.locator("#dashboard")).to_be_visible(timeout=WAIT)
    await expect(page.locator("#my-code")).to_have_text(re.compile(r"^\w{4,16}$"), timeout=WAIT)

    await page.get_by_label("Share").fill(str(room["id"]))
    await page.get_by_role("button", name="Generate").click()
    await expect(page.locator("#share-url")).to_have_text(re.compile(r"/s/\w+$"), timeout=WAIT)
    qr = page.locator("#link-out img.qr")
    await expect(qr).to_be_visible()
    assert await qr.evaluate("img => img.complete && img.naturalWidth > 0")

    # Nothing to withdraw yet: the refusal is readable, not a crash.
    await page.get_by_label("Amount (yuan)").fill("1")
    await page.get_by_role("button", name="Withdraw").click()
    await expect(page.locator("#withdraw-error")).not_to_be_empty(timeout=WAIT)
    assert "failed" not in (await page.locator("#withdraw-error").text_content() or "")
    await screenshot(page, "distributor-dashboard")

    room_page = await pages.open(f"/rooms/{room['id']}", fan, mobile=True)
    await room_page.locator("#share-button").click()
    await expect(room_page.locator("#share-url")).to_have_value(
        re.compile(r"/s/\w+$"), timeout=WAIT
    )
    await expect(room_page.locator("#share-body img.qr")).to_be_visible()


@pytest.mark.parametrize("target", ["room", "product"])
async def test_a_distributors_link_brings_a_buyer_whose_purchase_is_pending_commission(
    pages, client, user_factory, target
):
    host = await user_factory("ref_host", ["host"])
    sharer = await user_factory("ref_sharer")
    buyer = await user_factory("ref_buyer")
    await add_address(client, buyer)
    room, product = await live_room_with_product(
        client, host, price=12800, stock=5, title="Pu'er cake 357 g"
    )
    await _pin(client, host, room["id"], product["id"])

    dashboard = await pages.open("/distributor", sharer)
    await dashboard.get_by_role("button", name="Become a distributor").click(timeout=WAIT)
    await expect(dashboard.locator("#my-code")).to_have_text(
        re.compile(r"^\w{4,16}$"), timeout=WAIT
    )
    if target == "product":
        await dashboard.get_by_label("Product number").check()
    await dashboard.get_by_label("Share").fill(
        str(room["id"] if target == "room" else product["id"])
    )
    await dashboard.get_by_role("button", name="Generate").click()
    link = dashboard.locator("#share-url")
    await expect(link).to_have_text(re.compile(r"/s/\w+$"), timeout=WAIT)
    share_path = "/s/" + (await link.text_content() or "").rsplit("/s/", 1)[1]

    # The buyer opens the link in a browser of their own and lands in the room or on the product.
    page = await pages.open(share_path, buyer, mobile=True)
    if target == "room":
        await page.wait_for_url(f"**/rooms/{room['id']}", timeout=WAIT)
        await expect(page.locator("#pinned-title")).to_have_text("Pu'er cake 357 g", timeout=WAIT)
        await page.locator("#pinned-buy").click()
    else:
        await page.wait_for_url(f"**/products/{product['id']}", timeout=WAIT)
        await expect(page.locator("h1")).to_have_text("Pu'er cake 357 g", timeout=WAIT)
        await expect(page.locator("#product-price")).to_have_text(re.compile(r"128\.00"))
        await page.get_by_role("button", name="Buy", exact=True).click()
    await expect(page.locator("#buy-total")).to_have_text(re.compile(r"128\.00"), timeout=WAIT)
    await _pay_on_gateway(page)
    [order] = (await client.get("/api/me/orders", headers=buyer.headers)).json()["items"]
    assert order["status"] == "paid" and order["roomId"] == (
        room["id"] if target == "room" else None
    )

    # The dashboard shows the commission as pending, in the table and on the card.
    await dashboard.reload()
    row = dashboard.locator("#commissions tbody tr", has_text=f"#{order['id']}")
    await expect(row).to_have_count(1, timeout=WAIT)
    await expect(row).to_contain_text("Pu'er cake 357 g")
    await expect(row).to_contain_text("Level 1")
    await expect(row.locator(".badge")).to_have_text("Pending")
    commission = await row.locator("td.num").nth(1).text_content() or ""
    figures = re.fullmatch(r"\D*(\d+)\.(\d\d)", commission)
    assert figures and int(figures[1] + figures[2]) > 0, commission
    pending = dashboard.locator(
        "#cards .card", has=dashboard.get_by_role("heading", name="Pending", exact=True)
    )
    await expect(pending.locator(".stat")).to_have_text(commission)
    await expect(
        dashboard.locator("#cards .card", has_text="Clicks").locator(".stat")
    ).to_have_text("1")
    await screenshot(page, f"{target}-bought-through-a-share-link")
    await screenshot(dashboard, "distributor-commission-pending")
    [item] = (await client.get("/api/distributors/me/commissions", headers=sharer.headers)).json()[
        "items"
    ]
    assert (
        item["status"] == "pending"
        and item["amount"] > 0
        and int(figures[1] + figures[2]) == item["amount"]
    )
