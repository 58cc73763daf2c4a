"""Coupons, red packets (TODO: their API is on another branch) and distribution in the browser.

TODO(lead): finish the two skipped flows after merging promotions; the UI parts are in
static/js/promotions-api.js, room/coupons.js, room/red-packet.js and console/drops.js.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.support import create_room

WAIT = 15_000

REASON = "needs coupons/red packets/distribution API"


async def test_viewer_claims_a_dropped_coupon_and_pays_less_with_it():
    # Host drops a coupon from the console (#coupon-form); the viewer's #drops card appears,
    # "Claim" works, the buy sheet offers it (#buy-coupon) and #buy-total shows the discount;
    # a second claim shows "You already claimed this coupon"; an exhausted one "all gone".
    pytest.skip(REASON)


async def test_viewer_opens_a_red_packet_and_sees_the_best_luck():
    # Host sends a red packet (#rp-form); the viewer's #rp-dialog opens; "Open" grabs over the
    # socket (grab_result) and shows #rp-amount, then the claims list with the best luck;
    # an empty packet shows "The red packet is empty".
    pytest.skip(REASON)


async def test_a_viewer_becomes_a_distributor_and_shares_a_room_link_with_its_qr(pages, client, user_factory):
    host = await user_factory("dist_host", ["host"])
    fan = await user_factory("dist_fan")
    room = await create_room(client, host, title="Share me")

    page = await pages.open("/distributor", fan)
    await expect(page.get_by_role("button", name="Become a distributor")).to_be_visible(timeout=WAIT)
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
    await expect(room_page.locator("#share-url")).to_have_value(re.compile(r"/s/\w+$"), timeout=WAIT)
    await expect(room_page.locator("#share-body img.qr")).to_be_visible()
