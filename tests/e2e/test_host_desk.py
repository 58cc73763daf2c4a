"""The host's order desk in a desktop browser: an order paid by a buyer is shipped from the desk
with a carrier and a tracking number and moves to 待收货; a new paid order shows up by itself."""

from __future__ import annotations

from playwright.async_api import expect

from livecommerce.domains.orders import jobs
from livecommerce.infra import db
from livecommerce.worker.settings import job_context
from tests.e2e.support import screenshot
from tests.support import create_product, pay_through_sandbox, place_order

WAIT = 15_000
ADDRESS = {"name": "王小明", "phone": "13800138000", "line": "上海市徐汇区漕溪北路 88 号"}


async def test_the_host_ships_an_order_from_the_desk_and_sees_it_move_to_shipped(
    pages, client, user_factory
):
    host = await user_factory("deskshop", ["host"])
    buyer = await user_factory("deskbuyer")
    sku = (await create_product(client, host, price=8800, title="明前龙井"))["skus"][0]["id"]
    order_id = (await place_order(client, buyer, sku, address=ADDRESS)).json()["id"]
    await pay_through_sandbox(client, buyer, order_id)

    page = await pages.open("/host/orders", host, locale="zh-CN")
    rows = page.locator(f'#orders tr[data-order-id="{order_id}"]')
    await expect(rows).to_contain_text("王小明", timeout=WAIT)
    await expect(rows.locator(".badge")).to_have_text("待发货")
    await expect(page.locator('#tabs [data-tab="to_ship"]')).to_contain_text("(1)")

    await rows.get_by_role("button", name=f"发货 #{order_id}").click()
    dialog = page.locator("#ship-dialog")
    await expect(dialog).to_be_visible()
    await dialog.get_by_label(f"快递公司 #{order_id}").select_option("SF")
    await dialog.get_by_label(f"快递单号 #{order_id}").fill("SF1234567890")
    await screenshot(page, "host-orders-ship")
    await dialog.get_by_role("button", name="确认发货").click()
    await expect(dialog).to_be_hidden(timeout=WAIT)
    await expect(rows.locator(".badge")).to_have_text("待收货", timeout=WAIT)
    await expect(rows).to_contain_text("顺丰速运 SF1234567890")
    await expect(page.locator('#tabs [data-tab="shipped"]')).to_contain_text("(1)", timeout=WAIT)

    # A buyer pays while the desk is open: the desk hears of it by itself.
    second = (await place_order(client, buyer, sku, address=ADDRESS)).json()["id"]
    await pay_through_sandbox(client, buyer, second)
    await expect(page.locator("#new-orders")).to_contain_text("1 个新订单", timeout=WAIT)
    await expect(page.locator(f'#orders tr[data-order-id="{second}"]')).to_be_visible()

    await page.locator('#tabs [data-tab="shipped"]').click()
    await expect(page.locator(f'#orders tr[data-order-id="{order_id}"] .badge')).to_have_text(
        "待收货", timeout=WAIT
    )
    await expect(page.locator(f'#orders tr[data-order-id="{second}"]')).to_have_count(0)
    await screenshot(page, "host-orders")
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT status, carrier, tracking_no FROM orders WHERE id = $1", order_id
        )
    assert (row["status"], row["carrier"], row["tracking_no"]) == (
        "shipped",
        "SF",
        "SF1234567890",
    )


async def test_the_host_adds_a_payout_account_and_withdraws_settled_takings(
    pages, client, user_factory, migrated
):
    host = await user_factory("payshop", ["host"])
    buyer = await user_factory("paybuyer")
    sku = (await create_product(client, host, price=20_000))["skus"][0]["id"]
    order_id = (await place_order(client, buyer, sku, address=ADDRESS)).json()["id"]
    await pay_through_sandbox(client, buyer, order_id)
    await client.post(
        f"/api/orders/{order_id}/ship",
        json={"carrier": "ZTO", "trackingNo": "ZT77"},
        headers=host.headers,
    )
    await client.post(f"/api/orders/{order_id}/confirm", headers=buyer.headers)
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET after_sales_until = now() - interval '1 minute' WHERE id = $1",
            order_id,
        )
    assert await jobs.complete_order(job_context(migrated), order_id) is True

    page = await pages.open("/host/payouts", host, locale="zh-CN")
    available = page.locator('[data-card="payouts.available"]')
    await expect(available).to_contain_text("190.00", timeout=WAIT)
    await page.get_by_label("户名").fill("张三丰")
    await page.get_by_label("账号").fill("13912345678")
    await page.get_by_role("button", name="添加", exact=True).click()
    await expect(page.locator("#methods")).to_contain_text(
        "支付宝 139****5678 · 张**", timeout=WAIT
    )
    await page.get_by_label("金额（元）").fill("150")
    await page.get_by_role("button", name="提交申请").click()
    await expect(page.locator("#withdraw-ok")).to_contain_text("等待平台审核", timeout=WAIT)
    await expect(page.locator('[data-card="payouts.held"]')).to_contain_text("150.00")
    await expect(available).to_contain_text("40.00")
    await expect(page.locator("#history tbody tr").first).to_contain_text("审核中")
    await screenshot(page, "host-payouts")
