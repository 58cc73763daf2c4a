"""The distributor page on a phone, in Chinese: the library shows what each product earns,
one tap copies the same link every time, a poster opens in a dialog with a download; the
links, bound buyers, commissions (with when they settle) and the team fill in as buyers come."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.async_api import expect

from livecommerce.infra import db
from tests.distribution.helpers import chain, configure, share, visit
from tests.e2e.support import screenshot
from tests.support import create_product, create_room, go_live, pay_through_sandbox, place_order

WAIT = 15_000


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 640), color).save(out, format="PNG")
    return out.getvalue()


async def _buy(client, buyer, product: dict, quantity: int = 1) -> int:
    placed = await place_order(client, buyer, product["skus"][0]["id"], quantity)
    assert placed.status_code == 201, placed.text
    await pay_through_sandbox(client, buyer, placed.json()["id"])
    return int(placed.json()["id"])


async def _links_of(user_id: int) -> int:
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM share_links WHERE distributor_id = $1", user_id
            )
        )


async def test_a_distributor_copies_a_link_makes_a_poster_and_follows_buyers_and_team(
    pages, client, user_factory
):
    admin = await user_factory("admin", ["admin"])
    await configure(client, admin, levels=2, levelRatesBp=[1000, 500])
    host = await user_factory("tea_house", ["host"])
    upload = await client.post(
        "/api/uploads/images",
        files={"file": ("tea.png", _png((60, 150, 90)), "image/png")},
        headers=host.headers,
    )
    assert upload.status_code == 201, upload.text
    longjing = (
        await client.post(
            "/api/products",
            json={
                "title": "西湖龙井 250 克",
                "images": [upload.json()["url"]],
                "skus": [{"name": "罐装", "price": 12_800, "stock": 3}],
            },
            headers=host.headers,
        )
    ).json()
    white = await create_product(client, host, title="福鼎白茶饼", price=5_000, stock=30)
    own = await client.put(
        f"/api/products/{white['id']}/commission-rates",
        json={"ratesBp": [2000, 300]},
        headers=host.headers,
    )
    assert own.status_code == 200, own.text
    await create_product(client, host, title="下架老茶", on_shelf=False)
    room = await create_room(client, host, title="今晚品茶直播")
    await go_live(client, host, room["id"])
    (dist, _), (recruit, _) = await chain(client, user_factory, ["xiaomei", "ahua"])

    page = await pages.open("/distributor", dist, mobile=True, locale="zh-CN")
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    library = page.locator("#library-items")
    tea = library.locator("li", has_text="西湖龙井 250 克")
    await expect(tea).to_contain_text("赚 ¥12.80", timeout=WAIT)
    await expect(tea).to_contain_text("仅剩 3 件")
    await expect(tea).to_contain_text("2 级 5% ¥6.40")
    await expect(tea.locator("img.thumb")).to_be_visible()
    cake = library.locator("li", has_text="福鼎白茶饼")
    await expect(cake).to_contain_text("赚 ¥10.00")
    await expect(cake).to_contain_text("商品专属佣金")
    await expect(library.locator("li", has_text="今晚品茶直播")).to_contain_text("直播中")
    await expect(library).not_to_contain_text("下架老茶")

    # One tap copies the link and says so; a second tap copies the same link again.
    await tea.get_by_role("button", name="复制链接").click()
    await expect(tea.get_by_role("status")).to_contain_text("已复制推广链接", timeout=WAIT)
    copied = await page.evaluate("navigator.clipboard.readText()")
    assert re.search(r"/s/\w+$", copied), copied
    await page.evaluate("navigator.clipboard.writeText('')")
    await tea.get_by_role("button", name="复制链接").click()
    await expect(tea.get_by_role("status")).to_contain_text("已复制推广链接", timeout=WAIT)
    assert await page.evaluate("navigator.clipboard.readText()") == copied
    assert await _links_of(dist.id) == 1
    code = copied.rsplit("/s/", 1)[1]
    await expect(page.locator("#links")).to_contain_text("西湖龙井 250 克", timeout=WAIT)
    await expect(page.locator("#links")).to_contain_text(code)

    # The poster opens in a dialog, drawn by the server, with a download.
    await cake.get_by_role("button", name="生成海报").click()
    dialog = page.get_by_role("dialog", name="推广海报")
    await expect(dialog).to_be_visible(timeout=WAIT)
    download = dialog.get_by_role("link", name="下载海报")
    await expect(download).to_be_visible(timeout=WAIT)
    poster = dialog.locator("#poster-img")
    await expect(poster).to_have_attribute("alt", "福鼎白茶饼 的推广海报")
    assert await poster.evaluate("img => img.decode().then(() => img.naturalWidth)") == 750
    await screenshot(page, "distributor-poster-zh")
    async with page.expect_download() as saving:
        await download.click()
    assert (await saving.value).suggested_filename.endswith(".png")
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    assert await _links_of(dist.id) == 2  # the poster carries a link of its own target

    # Search narrows the library.
    await page.get_by_role("searchbox", name="搜索商品或直播间").fill("白茶")
    await page.get_by_role("button", name="搜索", exact=True).click()
    await expect(library.locator("li")).to_have_count(1, timeout=WAIT)
    await expect(library.locator("li")).to_contain_text("福鼎白茶饼")

    # A buyer comes through the copied link and pays; the recruit's buyer pays too.
    buyer = await user_factory("zhangsan")
    await visit(client, code, buyer)
    order_id = await _buy(client, buyer, longjing)
    friend = await user_factory("lisi")
    await visit(client, (await share(client, recruit, white["id"]))["code"], friend)
    await _buy(client, friend, white, 2)

    await page.reload()
    buyers = page.locator("#buyers-section")
    await expect(buyers).to_contain_text("1 位客户绑定了你", timeout=WAIT)
    await expect(buyers.locator("li")).to_contain_text("Z**")
    await expect(buyers.locator("li")).to_contain_text("1 笔订单")
    row = page.locator("#commissions tbody tr", has_text=f"#{order_id}")
    await expect(row).to_contain_text("买家确认收货后，售后期结束即结算", timeout=WAIT)
    await expect(row).to_contain_text("你推广的订单")
    await expect(row.locator(".badge")).to_have_text("待结算")
    team_row = page.locator("#commissions tbody tr", has_text="团队成员推广的订单（2 级）")
    await expect(team_row).to_have_count(1)
    link_row = page.locator("#links tbody tr", has_text=code)
    await expect(link_row.locator("td.num").nth(0)).to_have_text("1")  # clicks
    await expect(link_row.locator("td.num").nth(2)).to_have_text("1")  # orders
    await expect(link_row.locator("td.num").nth(3)).to_have_text("¥128.00")
    member = page.locator("#team tbody tr", has_text="A**")
    await expect(member).to_contain_text("¥100.00", timeout=WAIT)
    await expect(page.locator("#team-sales")).to_contain_text("¥100.00")
    await expect(page.locator("#team-levels button")).to_have_count(2)
    await page.locator("#overview").scroll_into_view_if_needed()
    await screenshot(page, "distributor-page-zh")
    await page.locator("#commission-section").scroll_into_view_if_needed()
    await screenshot(page, "distributor-commissions-zh")
