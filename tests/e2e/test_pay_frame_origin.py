"""payUrl is absolute under PUBLIC_URL, but a browser may reach the shop by another name
(localhost for 127.0.0.1, a LAN address, the compose default): the pay dialog still frames our
own sandbox page from the page's origin, so CSP frame-src 'self' and the login cookie hold."""

from __future__ import annotations

from playwright.async_api import expect

from tests.e2e.support import Pages

WAIT = 15_000


async def test_a_top_up_is_paid_in_the_dialog_when_the_page_is_opened_by_another_name(
    browser, live, client, user_factory
) -> None:
    assert live.url.startswith("http://127.0.0.1:")
    buyer = await user_factory("lan_buyer")
    other_name = Pages(browser, live.url.replace("127.0.0.1", "localhost"))
    try:
        page = await other_name.open("/me/wallet", buyer, mobile=True)
        await expect(page.locator("#balances")).to_contain_text("0.00", timeout=WAIT)
        await page.locator("#topup-amount").fill("12")
        await page.locator("#topup button[type=submit]").click()
        frame = page.frame_locator("#pay-dialog iframe.pay-frame")
        await frame.locator("#pay").click(timeout=WAIT)
        await expect(page.locator("#pay-dialog")).not_to_be_visible(timeout=WAIT)
        wallet = (await client.get("/api/me/wallet", headers=buyer.headers)).json()
        assert wallet["available"] == 1200
    finally:
        await other_name.close()
    assert not other_name.errors, other_name.errors
