"""My account page: a viewer sets the name others see in chat; a name that isn't allowed is
refused in plain words, in the page's language."""

from __future__ import annotations

from playwright.async_api import expect

WAIT = 15_000  # ms: an upper bound for a request to answer, not a timing claim


async def test_a_viewer_changes_the_display_name_from_the_account_page(pages, client, user_factory):
    await user_factory("tea_host", ["host"])
    fan = await user_factory("fan_9")
    page = await pages.open("/me", fan, locale="zh-CN", mobile=True)
    name = page.locator("#display-name")
    await expect(name).to_have_value("Fan_9", timeout=WAIT)
    await expect(page.locator("#login-name")).to_have_text("登录用户名：fan_9")

    await name.fill("tea_host")  # someone else's login: refused
    await name.press("Enter")
    await expect(page.locator("#name-error")).to_have_text(
        "昵称“tea_host”已被占用或不可使用", timeout=WAIT
    )

    await name.fill("  春茶爱好者 ")
    await name.press("Enter")
    await expect(page.locator("#name-ok")).to_have_text("昵称已保存", timeout=WAIT)
    await expect(name).to_have_value("春茶爱好者")
    await expect(page.locator(".site-header .user-name")).to_have_text("春茶爱好者")
    assert (await client.get("/api/me", headers=fan.headers)).json()["displayName"] == "春茶爱好者"
