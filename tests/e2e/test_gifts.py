"""The gift sheet on a phone: pick a gift and a quantity, see the wallet, send, and watch the
banner count up as a combo; a guest is asked to log in; the operator's gift page opens."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.marketing.gifts_support import add_gift, tip_room
from tests.promotions.support import balance, fund

WAIT = 15_000  # ms: an upper bound for a frame to cross, not a timing claim


async def test_a_viewer_sends_gifts_from_the_sheet_and_sees_the_combo(
    pages, client, user_factory
) -> None:
    room = await tip_room(client, user_factory)
    await add_gift(client, room.admin, name="小心心", price=10, nameEn="Heart", sortOrder=0)
    fan = await user_factory("fan")
    await fund(fan, 1_000)

    page = await pages.open(f"/rooms/{room.room_id}", fan, mobile=True)
    await expect(page.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)
    await page.locator("#gift-button").click()
    sheet = page.locator("#gift-sheet")
    await expect(sheet).to_be_visible()
    await expect(page.locator("#gift-balance")).to_have_text(re.compile(r"10\.00"), timeout=WAIT)
    await expect(page.locator("#gift-topup")).to_have_attribute("href", "/me/wallet")
    box = await sheet.bounding_box()
    assert box is not None and box["width"] <= 420  # fits the phone

    # The heart (sorted first) is chosen; pick the rose by keyboard, then five of them.
    await expect(page.locator(".gift-item").first).to_have_attribute("aria-checked", "true")
    await page.locator(f'.gift-item[data-gift-id="{room.gift_id}"]').focus()
    await page.keyboard.press("Enter")
    await expect(page.locator(f'.gift-item[data-gift-id="{room.gift_id}"]')).to_have_attribute(
        "aria-checked", "true"
    )
    await page.get_by_role("radio", name="×5", exact=True).click()
    await expect(page.locator("#gift-send")).to_have_text(re.compile(r"5\.00"))
    await page.locator("#gift-send").click()
    banner = page.locator(f'.gift-banner[data-gift-id="{room.gift_id}"]')
    await expect(banner).to_be_visible(timeout=WAIT)
    await expect(banner.locator(".gift-count")).to_have_text("×5")
    await expect(page.locator("#gift-balance")).to_have_text(re.compile(r"5\.00"), timeout=WAIT)
    await page.get_by_role("radio", name="×1", exact=True).click()
    await page.locator("#gift-send").click()
    await expect(banner.locator(".gift-count")).to_have_text("×6", timeout=WAIT)
    await screenshot(page, "room-gift-sheet")
    assert await balance(fan) == 400

    # Over the session's cap: the sheet says which cap and what is left, nothing is taken.
    await client.put(
        "/api/admin/tip-settings", json={"maxPerSession": 700}, headers=room.admin.headers
    )
    await page.get_by_role("radio", name="×5", exact=True).click()
    await page.locator("#gift-send").click()
    await expect(page.locator("#gift-error")).to_contain_text("1.00", timeout=WAIT)
    assert await balance(fan) == 400

    guest = await pages.open(f"/rooms/{room.room_id}", mobile=True)
    await guest.locator("#gift-button").click()
    await expect(guest.locator("#gift-login")).to_be_visible(timeout=WAIT)

    # The host's session report counts them: two tips, ¥6.00, the rose on top.
    report = await pages.open(f"/host/sessions/{room.session_id}/report", room.host)
    await expect(report.locator("#tips-count")).to_have_text("2", timeout=WAIT)
    await expect(report.locator("#tips-amount")).to_have_text(re.compile(r"6\.00"))
    await expect(report.locator("#tip-gifts tbody tr").first).to_contain_text("玫瑰")


async def test_the_operator_changes_a_price_on_the_gift_page(pages, client, user_factory) -> None:
    room = await tip_room(client, user_factory)
    page = await pages.open("/admin/gifts", room.admin)
    row = page.locator(f'tr[data-gift-id="{room.gift_id}"]')
    await expect(row).to_be_visible(timeout=WAIT)
    await row.locator(f"#g{room.gift_id}-price").fill("5.20")
    await row.locator(f"#g{room.gift_id}-reason").fill("Valentine's")
    await row.get_by_role("button", name="Save").click()
    await expect(page.locator("#gift-changes tr[data-action='gift.update']")).to_contain_text(
        "Valentine's", timeout=WAIT
    )
    await screenshot(page, "admin-gifts")
    gifts = (await client.get("/api/gifts")).json()
    assert [g["price"] for g in gifts] == [520]
