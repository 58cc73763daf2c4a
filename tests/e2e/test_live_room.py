"""A viewer in a live room, the host at the console, both real browsers on the real server."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.promotions.support import fund
from tests.support import add_address, live_room_with_product, place_order

WAIT = 15_000  # ms: an upper bound for a frame to cross, not a timing claim


async def _pin(client, host, room_id: int, product_id: int) -> None:
    response = await client.post(
        f"/api/rooms/{room_id}/pin", json={"productId": product_id}, headers=host.headers
    )
    assert response.status_code == 200, response.text


async def test_viewer_chats_likes_and_buys_the_pinned_product_while_the_host_console_sees_it(
    pages, client, user_factory
):
    host = await user_factory("tea_host", ["host"])
    viewer = await user_factory("tea_fan")
    await add_address(client, viewer)  # every order ships somewhere: the default is preselected
    room, product = await live_room_with_product(
        client, host, price=1990, stock=5, title="Longjing 250 g"
    )
    await _pin(client, host, room["id"], product["id"])

    console = await pages.open(f"/host/rooms/{room['id']}", host)
    await expect(console.locator("#stat-orders")).to_have_text("0", timeout=WAIT)

    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True)
    room_url = page.url
    await expect(page.locator("#pinned-title")).to_have_text("Longjing 250 g", timeout=WAIT)
    await expect(page.locator("#status-badge")).to_have_text("LIVE")

    await page.locator("#chat-input").fill("Is it this spring's tea?")
    await page.keyboard.press("Enter")
    await expect(page.locator("#chat li", has_text="Is it this spring's tea?")).to_be_visible(
        timeout=WAIT
    )
    await expect(
        console.locator("#console-chat li", has_text="Is it this spring's tea?")
    ).to_be_visible(timeout=WAIT)

    for _ in range(3):
        await page.locator("#like-button").click()
    await expect(console.locator("#stat-likes")).to_have_text(
        re.compile(r"^[1-9]\d*$"), timeout=WAIT
    )

    await page.locator("#pinned-buy").click()
    await expect(page.locator("#buy-total")).to_have_text(re.compile(r"19\.90"), timeout=WAIT)
    await page.locator("#buy-quantity").fill("2")
    await expect(page.locator("#buy-total")).to_have_text(re.compile(r"39\.80"))
    await page.get_by_role("button", name="Pay", exact=True).click()
    gateway = page.frame_locator("iframe.pay-frame")
    await gateway.locator("#pay").click()
    await expect(page.locator("#buy-paid")).to_be_visible(timeout=WAIT)
    assert page.url == room_url  # bought without leaving the room
    # The ticker line fades after a few seconds; the count of purchases it showed stays.
    await expect(page.locator("#ticker")).to_have_attribute("data-seen", "1", timeout=WAIT)
    await screenshot(page, "room-bought")

    await expect(console.locator("#order-feed li").first).to_contain_text(
        "Longjing 250 g ×2", timeout=WAIT
    )
    await expect(console.locator("#stat-orders")).to_have_text("1", timeout=WAIT)
    await expect(console.locator("#stat-gmv")).to_have_text(re.compile(r"39\.80"), timeout=WAIT)
    await screenshot(console, "host-console")

    mine = await client.get("/api/me/orders", headers=viewer.headers)
    [order] = mine.json()["items"]
    assert (
        order["status"] == "paid" and order["roomId"] == room["id"] and order["payAmount"] == 3980
    )


async def test_a_sold_out_product_shows_a_readable_error_in_the_buy_sheet(
    pages, client, user_factory
):
    host = await user_factory("pot_host", ["host"])
    viewer = await user_factory("pot_fan")
    rival = await user_factory("pot_rival")
    await add_address(client, viewer)
    await fund(viewer, 50_000)  # enough in the wallet: the refusal is the stock's
    room, product = await live_room_with_product(
        client, host, price=45900, stock=1, title="Clay teapot"
    )
    await _pin(client, host, room["id"], product["id"])

    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True)
    await page.locator("#pinned-buy").click(timeout=WAIT)
    await expect(page.locator("#buy-total")).to_be_visible(timeout=WAIT)
    # Someone else takes the last unit while the sheet is open.
    taken = await place_order(client, rival, product["skus"][0]["id"])
    assert taken.status_code == 201, taken.text

    await page.get_by_role("button", name="Pay from wallet").click()
    alert = page.locator("#buy-body [role=alert]")
    await expect(alert).to_have_text("Sold out", timeout=WAIT)
    await screenshot(page, "room-sold-out")


async def test_the_room_reconnects_with_a_fresh_snapshot_after_the_socket_drops(
    pages, client, user_factory
):
    host = await user_factory("net_host", ["host"])
    viewer = await user_factory("net_fan")
    room, product = await live_room_with_product(client, host, title="Oolong")

    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True)
    await expect(page.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)
    await expect(page.locator("#pinned")).to_be_hidden()
    await page.evaluate("window.lcRoom.socket.dropForTest()")
    # While the socket is away the host pins: only the fresh snapshot can tell the viewer.
    await _pin(client, host, room["id"], product["id"])
    await expect(page.locator("#pinned-title")).to_have_text("Oolong", timeout=WAIT)
    await expect(page.locator("#conn")).to_be_hidden(timeout=WAIT)


async def test_a_guest_watches_but_is_asked_to_log_in_to_chat_and_buy(pages, client, user_factory):
    host = await user_factory("guest_host", ["host"])
    room, product = await live_room_with_product(client, host, title="Tasting set")
    await _pin(client, host, room["id"], product["id"])

    page = await pages.open(f"/rooms/{room['id']}", mobile=True)
    await expect(page.locator("#login-to-chat")).to_be_visible(timeout=WAIT)
    await expect(page.locator("#chat-input")).to_be_hidden()
    await page.locator("#pinned-buy").click()
    await expect(page.locator("#buy-body")).to_contain_text("Log in to buy")
