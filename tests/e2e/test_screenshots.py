"""Every page opens without a script error and is saved as a picture under screenshots/."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.support import create_room, live_room_with_product, pay_through_sandbox, place_order

WAIT = 15_000


async def test_each_page_renders_and_is_saved_as_a_screenshot(pages, client, user_factory):
    host = await user_factory("shot_host", ["host"])
    viewer = await user_factory("shot_viewer")
    live_room, product = await live_room_with_product(
        client, host, price=9900, title="Live-only tasting set"
    )
    pinned = await client.post(
        f"/api/rooms/{live_room['id']}/pin", json={"productId": product["id"]}, headers=host.headers
    )
    assert pinned.status_code == 200
    upcoming = await create_room(client, host, title="Spring harvest preview")
    scheduled = await client.post(
        f"/api/rooms/{upcoming['id']}/sessions",
        json={
            "title": "Spring harvest preview",
            "scheduledAt": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
        },
        headers=host.headers,
    )
    assert scheduled.status_code == 201, scheduled.text
    ended, _ = await live_room_with_product(client, host, title="Yesterday's oolong")
    assert (
        await client.post(f"/api/rooms/{ended['id']}/end", headers=host.headers)
    ).status_code == 200
    paid = (
        await place_order(client, viewer, product["skus"][0]["id"], roomId=live_room["id"])
    ).json()
    await pay_through_sandbox(client, viewer, paid["id"])
    await place_order(client, viewer, product["skus"][0]["id"])  # one left to pay

    page = await pages.open("/")
    await expect(page.locator("#live .room-card")).to_have_count(1, timeout=WAIT)
    await expect(page.locator("#upcoming .room-card")).to_have_count(1)
    await screenshot(page, "landing")

    page = await pages.open("/login")
    await expect(page.locator("#username")).to_be_focused(timeout=WAIT)
    await screenshot(page, "login")

    page = await pages.open(f"/rooms/{live_room['id']}", viewer, mobile=True, locale="zh-CN")
    await expect(page.locator("#pinned-label")).to_have_text("讲解中", timeout=WAIT)
    await screenshot(page, "room-live")
    await page.locator("#bag-button").click()
    await expect(page.locator("#bag-list li")).to_have_count(1)
    await screenshot(page, "room-bag")
    await page.keyboard.press("Escape")
    await page.locator("#share-button").click()
    await expect(page.locator("#share-url")).to_have_value(
        re.compile(rf"/rooms/{live_room['id']}$")
    )
    await screenshot(page, "room-share")

    page = await pages.open(f"/rooms/{upcoming['id']}", viewer, mobile=True)
    await expect(page.locator("#countdown")).to_have_text(
        re.compile(r"Starts in (01:59|02:00):\d\d"), timeout=WAIT
    )
    await screenshot(page, "room-upcoming")

    page = await pages.open(f"/rooms/{ended['id']}", viewer, mobile=True)
    await expect(page.locator("#summary")).to_contain_text("views", timeout=WAIT)
    await screenshot(page, "room-ended")

    page = await pages.open("/me/orders", viewer)
    await expect(page.locator("#orders article")).to_have_count(2, timeout=WAIT)
    await expect(page.locator("#orders")).to_contain_text("Awaiting payment")
    await screenshot(page, "orders")

    page = await pages.open("/me/wallet", viewer)
    await expect(page.locator("#balance-available")).to_have_text(
        re.compile(r"0\.00"), timeout=WAIT
    )
    await screenshot(page, "wallet")

    page = await pages.open("/me/coupons", viewer)
    await page.wait_for_load_state("networkidle")
    await screenshot(page, "coupons")

    page = await pages.open("/distributor", viewer)
    await page.wait_for_load_state("networkidle")
    await screenshot(page, "distributor")

    page = await pages.open("/host", host)
    await expect(page.locator("#rooms .card")).to_have_count(3, timeout=WAIT)
    await screenshot(page, "host")

    page = await pages.open(f"/host/rooms/{live_room['id']}", host)
    await expect(page.locator("#showcase li")).to_have_count(1, timeout=WAIT)
    await expect(page.locator("#trend canvas")).to_have_count(1)
    await screenshot(page, "host-room")
