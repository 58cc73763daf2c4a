"""Login by keyboard alone, the language switch, and a readable failure."""

from __future__ import annotations

from playwright.async_api import expect

from tests.support import PASSWORD

WAIT = 15_000


async def test_keyboard_only_login_lands_where_the_visitor_was_going(pages, user_factory):
    await user_factory("keys_only")
    page = await pages.open("/login?next=/me/orders")
    # The page puts focus in the first field; from there on only keys.
    await expect(page.locator("#username")).to_be_focused(timeout=WAIT)
    await page.keyboard.type("keys_only")
    await page.keyboard.press("Tab")
    await expect(page.locator("#password")).to_be_focused()
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/me/orders", timeout=WAIT)
    await expect(page.locator(".site-header .who")).to_contain_text("Keys_Only", timeout=WAIT)
    await expect(page.locator("#orders")).to_contain_text("No orders yet", timeout=WAIT)


async def test_a_wrong_password_shows_a_readable_error(pages, user_factory):
    await user_factory("forgetful")
    page = await pages.open("/login")
    await page.get_by_label("Username").fill("forgetful")
    await page.get_by_label("Password").fill("not-the-password")
    await page.get_by_role("button", name="Log in", exact=True).click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong username or password", timeout=WAIT)


async def test_the_language_switch_changes_the_text_and_is_remembered(pages):
    page = await pages.open("/", locale="en-US")
    nav = page.locator(".site-header nav")
    await expect(nav).to_contain_text("My orders", timeout=WAIT)
    await expect(page.locator("h1")).to_have_text("Live now and coming up")
    await page.get_by_role("button", name="Switch language").click()
    await expect(nav).to_contain_text("我的订单")
    await expect(page.locator("h1")).to_have_text("正在直播与即将开播")
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"
    await page.reload()
    await expect(page.locator("h1")).to_have_text("正在直播与即将开播", timeout=WAIT)
    await page.get_by_role("button", name="切换语言").click()
    await expect(page.locator("h1")).to_have_text("Live now and coming up")


async def test_the_language_defaults_to_the_browsers(pages):
    page = await pages.open("/login", locale="zh-CN")
    await expect(page.locator("#form-title")).to_have_text("登录", timeout=WAIT)
    page = await pages.open("/login", locale="en-GB")
    await expect(page.locator("#form-title")).to_have_text("Log in", timeout=WAIT)


async def test_login_never_sends_the_visitor_to_another_site(pages, user_factory):
    await user_factory("careful")
    for target in ("/%5Cevil.example/phish", "//evil.example/", "https://evil.example/"):
        page = await pages.open(f"/login?next={target}")
        await page.get_by_label("Username").fill("careful")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_label("Password").press("Enter")
        # The login answers, then the page goes home, on this site, not to evil.example.
        await page.wait_for_url(f"{pages.base_url}/", timeout=WAIT)
        assert page.url == f"{pages.base_url}/"
