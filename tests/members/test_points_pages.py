"""In the browser: the host sets its points rules on /host/points; in the room the buy sheet
offers "use N points for ¥X off", the total drops when it is ticked and the order spends them;
the buyer's /me/points shows the balance and the history in words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import MISSING, REASON, browser, pages  # noqa: F401 - fixtures
from tests.e2e.support import screenshot
from tests.members.points_support import earn_available, set_rules, sku_of
from tests.support import add_address, live_room_with_product

pytestmark = pytest.mark.skipif(MISSING or not Path("/usr/bin/chromium").exists(), reason=REASON)

WAIT = 15_000


async def test_the_host_sets_points_rules_on_its_page(pages, client, user_factory) -> None:  # noqa: F811
    from playwright.async_api import expect

    host = await user_factory("leaf_host", ["host"])
    page = await pages.open("/host/points", host)
    await expect(page.get_by_label("Points earned per ¥1 spent")).to_have_value("1", timeout=WAIT)
    await page.get_by_label("Points earned per ¥1 spent").fill("2.5")
    await page.get_by_label("Days frozen").fill("3")
    await page.get_by_label("At most this share of an order (%)").fill("150")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#form-error")).to_contain_text("At most this share", timeout=WAIT)
    await page.get_by_label("At most this share of an order (%)").fill("30")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("#saved")).to_have_text("Saved", timeout=WAIT)
    got = await client.get("/api/host/points-settings", headers=host.headers)
    assert got.json() == {"earnBp": 250, "frozenDays": 3, "pointsPerYuan": 100, "capBp": 3_000}


async def test_the_buy_sheet_offers_points_and_the_order_spends_them(
    pages,  # noqa: F811
    client,
    user_factory,
) -> None:
    from playwright.async_api import expect

    host = await user_factory("leaf_host", ["host"])
    buyer = await user_factory("leaf_fan")
    admin = await user_factory("admin", ["admin"])
    await set_rules(client, host, earnBp=10_000, frozenDays=0, pointsPerYuan=100, capBp=5_000)
    await earn_available(client, admin, host, buyer, await sku_of(client, host, 1_000))
    await add_address(client, buyer)
    room, product = await live_room_with_product(client, host, price=1_000, stock=5)
    await client.post(
        f"/api/rooms/{room['id']}/pin", json={"productId": product["id"]}, headers=host.headers
    )

    page = await pages.open(f"/rooms/{room['id']}", buyer, mobile=True)
    await page.locator("#pinned-buy").click(timeout=WAIT)
    await expect(page.locator("#buy-total")).to_have_text(re.compile(r"10\.00"), timeout=WAIT)
    # Half of ¥10.00 at most: 500 of the 1 000 points.
    toggle = page.get_by_label(re.compile(r"Use 500 points for .*5\.00 off"))
    await expect(toggle).to_be_visible(timeout=WAIT)
    await toggle.check()
    await expect(page.locator("#buy-total")).to_have_text(re.compile(r"5\.00"))
    await expect(page.locator("#buy-discount")).to_have_text(re.compile(r"5\.00"))
    await screenshot(page, "points-buy-sheet")
    await page.get_by_role("button", name="Pay", exact=True).click()
    await expect(page.frame_locator("iframe.pay-frame").locator("#pay")).to_be_visible(timeout=WAIT)
    mine = await client.get("/api/me/orders", headers=buyer.headers)
    placed = [o for o in mine.json()["items"] if o["status"] == "pending_payment"]
    assert [(o["pointsUsed"], o["pointsDiscount"], o["payAmount"]) for o in placed] == [
        (500, 500, 500)
    ]

    page = await pages.open("/me/points", buyer)
    await expect(page.locator(f"#points-available-{host.id}")).to_have_text("500", timeout=WAIT)
    await expect(page.locator("#entries")).to_contain_text(
        f"Order #{placed[0]['id']}: points spent", timeout=WAIT
    )
    await expect(page.locator("#entries")).to_contain_text("points earned")
    await screenshot(page, "points-me")
