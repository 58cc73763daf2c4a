"""An operator browses and edits tables in piccolo-admin (/admin/tables/): logged in by the site's
own token, nothing loaded from anywhere but this site, no CSP violation (the `pages` fixture
fails on one), a product's title changed through its real edit form (which sends the whole row)
and audited, a SKU's price refused through the same form."""

from __future__ import annotations

from playwright.async_api import expect

from livecommerce.infra import audit, db
from tests.e2e.support import screenshot
from tests.support import create_product

WAIT = 15_000


async def save(page, status: int) -> None:
    async with page.expect_response(lambda r: r.request.method == "PATCH") as saving:
        await page.locator("[data-uitest='save_button']").click()
    saved = await saving.value
    assert saved.status == status, await saved.text()


async def test_an_operator_edits_a_product_title_in_piccolo_admin_offline(
    pages, client, live, user_factory
):
    host = await user_factory("tea_host", ["host"])
    product = await create_product(client, host, title="Oolong", price=1200, stock=7)
    sku_id = product["skus"][0]["id"]
    ops = await user_factory("ops", ["admin"])

    page = await pages.open("/admin/tables/", ops, locale="zh-CN")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    await page.reload()  # a whole load, every request of it recorded
    await expect(page.get_by_role("link", name="products")).to_be_visible(timeout=WAIT)
    await expect(page.get_by_role("link", name="ledger entries")).to_be_visible()
    await screenshot(page, "admin-tables-home")

    await page.get_by_role("link", name="products").click()
    await expect(page.get_by_text("Oolong")).to_be_visible(timeout=WAIT)
    await page.goto(f"/admin/tables/#/products/{product['id']}/")
    title = page.locator("input[name='title']")
    await expect(title).to_have_value("Oolong", timeout=WAIT)
    await title.fill("Tieguanyin")
    await save(page, 200)
    await screenshot(page, "admin-tables-saved")

    shown = (await client.get(f"/api/products/{product['id']}")).json()
    assert shown["title"] == "Tieguanyin"
    assert (shown["skus"][0]["price"], shown["skus"][0]["stock"]) == (1200, 7)
    async with db.connection() as conn:
        [entry] = await audit.entries(conn, action="table.update", target_kind="products")
    assert (entry.actor_id, entry.after) == (ops.id, {"title": "Tieguanyin"})

    # The same form shows a SKU's price; changing it there is refused, and nothing is written.
    await page.goto(f"/admin/tables/#/skus/{sku_id}/")
    price = page.locator("input[name='price']")
    await expect(price).to_have_value("1200", timeout=WAIT)
    await page.locator("input[name='name']").fill("tin")
    await price.fill("1")
    await save(page, 403)
    sku = (await client.get(f"/api/products/{product['id']}")).json()["skus"][0]
    assert (sku["name"], sku["price"]) == ("default", 1200)

    assert any("/admin/tables/assets/" in url for url in requested), requested
    foreign = [url for url in requested if not url.startswith((live.url, "data:", "blob:"))]
    assert foreign == [], foreign
