"""The whole life of an order, through the pages only, with a real arq worker doing what the
clock does: a host (desktop, zh-CN) makes a product with two SKUs and a picture, schedules a
session, goes live and drops a coupon; a buyer (phone) who came by a distributor's link claims it,
buys two with an address and pays on the gateway's page; the host ships from the order desk; the
buyer confirms receipt and asks for one unit back; the host approves; the after-sales window (a
few seconds here, a setting) closes and the worker completes the order and settles the
commission by itself; the host withdraws its takings and the distributor its commission. Every
figure the pages show is checked against the API's, and the API's against the sums the money
rules give."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import msgspec
from arq.worker import Worker
from playwright.async_api import expect

from livecommerce.domains.distribution.rules import DistributionConfig
from livecommerce.worker.settings import job_context, worker_options
from tests.catalog.test_uploads import picture
from tests.e2e.support import screenshot
from tests.support import create_room

WAIT = 15_000  # ms: an upper bound for the page to catch up, not a timing claim
AFTER_SALES_SECONDS = 3


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def shown(fen: int) -> re.Pattern[str]:
    """A money figure as the pages print it, with or without the currency sign in front."""
    return re.compile(rf"(^|[^\d.]){re.escape(yuan(fen))}($|[^\d])")


async def api(client, user, path: str) -> dict:
    response = await client.get(path, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_whole_life_of_an_order_through_the_pages(
    pages, client, user_factory, app, migrated, monkeypatch
):
    # The after-sales window is a setting; ENV=test lets it be seconds.
    short = msgspec.structs.replace(migrated, after_sales_days=AFTER_SALES_SECONDS / 86_400)
    monkeypatch.setattr(app.state, "settings", short)
    options = {k: v for k, v in worker_options(short).items() if k != "on_shutdown"}
    options["cron_jobs"] = []  # nothing by the clock: every step must be set off by the last one
    worker = Worker(
        **options, poll_delay=0.1, handle_signals=False, ctx=job_context(short), redis_pool=None
    )
    worker_task = asyncio.create_task(worker.main())
    try:
        await _live_through(pages, client, user_factory, app)
    finally:
        worker_task.cancel()
        await asyncio.gather(worker_task, return_exceptions=True)
        await worker.close()


async def _live_through(pages, client, user_factory, app) -> None:
    host = await user_factory("teahouse", ["host"])
    sharer = await user_factory("tea_sharer", ["distributor"])
    buyer = await user_factory("tea_buyer")
    operator = await user_factory("tea_operator", ["admin"])
    became = await client.post("/api/distributors", json={}, headers=sharer.headers)
    assert became.status_code == 201, became.text

    # 1. The host makes a product with two SKUs over 颜色 and a picture.
    desk = await pages.open("/host/products", host, locale="zh-CN")
    await desk.get_by_role("button", name="新建商品").click(timeout=WAIT)
    await desk.locator("#p-title").fill("青瓷茶杯")
    await desk.locator("#p-description").fill("龙泉青瓷，手工拉坯。")
    await desk.locator("#image-file").set_input_files(
        [{"name": "cup.png", "mimeType": "image/png", "buffer": picture("PNG", (800, 800))}]
    )
    await expect(desk.locator("#images li img")).to_have_count(1, timeout=WAIT)
    await desk.get_by_role("button", name="添加规格").click()
    await desk.locator("#spec-name-0").fill("颜色")
    await desk.locator("#spec-values-0").fill("梅子青, 粉青")
    await desk.locator("#spec-values-0").press("Tab")
    skus = desk.locator("#skus tr")
    await expect(skus).to_have_count(2)
    await skus.nth(0).locator(".sku-price").fill("129")
    await skus.nth(0).locator(".sku-stock").fill("5")
    await skus.nth(1).locator(".sku-price").fill("139.50")
    await skus.nth(1).locator(".sku-stock").fill("3")
    await desk.get_by_role("button", name="保存").click()
    await expect(desk.locator("#products article")).to_contain_text("2 个 SKU", timeout=WAIT)
    [product] = (await api(client, host, f"/api/products?hostId={host.id}"))["items"]
    celadon = next(s for s in product["skus"] if s["name"] == "粉青")
    assert (celadon["price"], celadon["stock"], len(product["images"])) == (13950, 3, 1)

    # 2. From the console: a session scheduled, the product in the showcase and pinned, live.
    room = await create_room(client, host, title="青瓷专场")  # the room exists; the day is new
    console = await pages.open(f"/host/rooms/{room['id']}", host, locale="zh-CN")
    await console.locator("#s-title").fill("周末青瓷品鉴")
    starts = datetime.now(UTC).astimezone() + timedelta(minutes=30)
    await console.locator("#s-starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    await console.locator("#s-submit").click()
    await expect(console.locator("#sessions li[data-status=scheduled]")).to_contain_text(
        "周末青瓷品鉴", timeout=WAIT
    )
    await console.get_by_role("button", name="加入橱窗: 青瓷茶杯").click()
    await console.get_by_role("button", name="讲解: 青瓷茶杯").click(timeout=WAIT)
    await expect(console.locator("#showcase li.pinned")).to_contain_text("青瓷茶杯", timeout=WAIT)
    await console.locator("#go-live").click()
    await expect(console.locator("#session-status")).to_have_text("直播中", timeout=WAIT)

    # 3. The buyer comes by the distributor's link to the room, on a phone.
    link = await client.post(
        "/api/share-links", json={"roomId": room["id"]}, headers=sharer.headers
    )
    assert link.status_code == 201, link.text
    share_path = "/s/" + link.json()["url"].rsplit("/s/", 1)[1]
    phone = await pages.open(share_path, buyer, mobile=True)
    await phone.wait_for_url(f"**/rooms/{room['id']}", timeout=WAIT)
    await expect(phone.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)

    # The host drops a coupon, ¥10 off; the buyer claims it.
    coupon_form = console.locator("#coupon-form")
    await coupon_form.locator("#c-title").fill("品鉴立减10元")
    await coupon_form.locator("#c-off").fill("10")
    await coupon_form.locator("#c-quota").fill("20")
    await coupon_form.get_by_role("button", name="发放到直播间").click()
    await expect(console.locator("#coupon-ok")).to_contain_text("品鉴立减10元", timeout=WAIT)
    drop = phone.locator("#drops .coupon", has_text="品鉴立减10元")
    await drop.get_by_role("button", name="Claim 品鉴立减10元").click(timeout=WAIT)
    assert await eventually(lambda: _claimed(client, buyer), ["品鉴立减10元"])

    # Two of the 粉青 SKU with a new address; the coupon is picked by itself.
    await phone.locator("#pinned-buy").click(timeout=WAIT)
    await phone.get_by_label(re.compile("粉青")).check()
    await phone.locator("#buy-quantity").fill("2")
    await phone.locator("#buy-addr-name").fill("Li Lei")
    await phone.locator("#buy-addr-phone").fill("13912345678")
    await phone.locator("#buy-addr-province").fill("浙江省")
    await phone.locator("#buy-addr-city").fill("丽水市")
    await phone.locator("#buy-addr-detail").fill("龙泉市剑川大道 1 号")
    await expect(phone.locator("#buy-original")).to_have_text(shown(27900), timeout=WAIT)
    await expect(phone.get_by_label("Coupon", exact=True).locator("option:checked")).to_have_text(
        "品鉴立减10元"
    )
    await expect(phone.locator("#buy-total")).to_have_text(shown(26900))
    await screenshot(phone, "life-buy-sheet")
    await phone.get_by_role("button", name="Pay", exact=True).click()
    await phone.frame_locator("iframe.pay-frame").locator("#pay").click(timeout=WAIT)
    await expect(phone.locator("#buy-paid")).to_be_visible(timeout=WAIT)
    [order] = (await api(client, buyer, "/api/me/orders"))["items"]
    order_id = order["id"]
    assert (order["status"], order["totalAmount"], order["payAmount"]) == ("paid", 27900, 26900)
    assert order["address"]["name"] == "Li Lei"

    # 4. The host ships it from the order desk.
    orders_desk = await pages.open("/host/orders", host, locale="zh-CN")
    row = orders_desk.locator(f'#orders tr[data-order-id="{order_id}"]')
    await expect(row).to_contain_text(yuan(26900), timeout=WAIT)
    await row.get_by_role("button", name=f"发货 #{order_id}").click()
    ship = orders_desk.locator("#ship-dialog")
    await ship.get_by_label(f"快递公司 #{order_id}").select_option("SF")
    await ship.get_by_label(f"快递单号 #{order_id}").fill("SF2026120200001")
    await ship.get_by_role("button", name="确认发货").click()
    await expect(row.locator(".badge")).to_have_text("待收货", timeout=WAIT)

    # 5. The buyer confirms receipt, then asks for one of the two back.
    mine = await pages.open(f"/me/orders/{order_id}", buyer, mobile=True)
    await expect(mine.locator("#order-timeline")).to_contain_text("SF2026120200001", timeout=WAIT)
    await mine.get_by_role("button", name="Confirm receipt").click()
    await expect(mine.locator("#order-badge")).not_to_have_text("Shipped", timeout=WAIT)
    await mine.get_by_role("button", name="Return / refund").click(timeout=WAIT)
    form = mine.locator("#after-sales-form")
    await form.get_by_label("Quantity of 青瓷茶杯 to return").fill("1")
    await expect(mine.locator("#refund-amount")).to_have_value(yuan(13450))
    await form.get_by_label("Reason").select_option(label="Arrived damaged")
    await form.get_by_label("Details (optional)").fill("One cup has a chip on the rim")
    await form.get_by_role("button", name="Send request").click()
    await expect(mine.locator("#order-refunds .refund-card .badge")).to_have_text(
        "Waiting for the shop", timeout=WAIT
    )
    await screenshot(mine, "life-refund-asked")

    # 6. The host approves it from the desk.
    await orders_desk.reload()
    after_sales_tab = orders_desk.locator('#tabs [data-tab="after_sales"]')
    await expect(after_sales_tab).to_contain_text("(1)", timeout=WAIT)
    await after_sales_tab.click()
    await row.get_by_role("button", name=f"同意退款 #{order_id}").click(timeout=WAIT)
    decision = orders_desk.locator("#refund-dialog")
    await expect(decision.locator("#refund-amount")).to_have_value(yuan(13450))
    await decision.locator("#refund-reason").fill("已核实，抱歉")
    await decision.locator("#refund-submit").click()
    await expect(decision).to_be_hidden(timeout=WAIT)
    await expect(row).to_contain_text(f"已退 ¥{yuan(13450)}", timeout=WAIT)
    await mine.reload()
    await expect(mine.locator("#order-refunds .refund-card .badge")).not_to_have_text(
        "Waiting for the shop", timeout=WAIT
    )

    # 7. The window closes; the worker completes the order and settles the commission unasked.
    assert await eventually(lambda: _order_status(client, buyer, order_id), "completed")
    assert await eventually(lambda: _commission_statuses(client, sharer), ["settled"])

    # The sums the rules give: the fee and the commission on what was kept, not what was paid.
    config = DistributionConfig()
    net = 26900 - 13450
    fee = net * app.state.settings.platform_fee_bp // 10_000
    commission = net * config.level_rates_bp[0] // 10_000
    takings = net - fee - commission
    summary = await api(client, host, "/api/host/payouts/summary")
    assert summary["available"] == takings, (summary, takings)
    dashboard = await api(client, sharer, "/api/distributors/me")
    assert (dashboard["available"], dashboard["pending"]) == (commission, 0), dashboard

    # 8. The host withdraws ¥100 of its takings to an account on file.
    payouts = await pages.open("/host/payouts", host, locale="zh-CN")
    available = payouts.locator('[data-card="payouts.available"]')
    await expect(available).to_contain_text(yuan(takings), timeout=WAIT)
    await payouts.get_by_label("户名").fill("龙泉茶舍")
    await payouts.get_by_label("账号").fill("13912345678")
    await payouts.get_by_role("button", name="添加", exact=True).click()
    await expect(payouts.locator("#methods")).to_contain_text("139****5678", timeout=WAIT)
    await payouts.get_by_label("金额（元）").fill("100")
    await payouts.get_by_role("button", name="提交申请").click()
    await expect(payouts.locator("#withdraw-ok")).to_contain_text("等待平台审核", timeout=WAIT)
    await expect(available).to_contain_text(yuan(takings - 10_000))
    await expect(payouts.locator('[data-card="payouts.held"]')).to_contain_text(yuan(10_000))
    await screenshot(payouts, "life-host-payout")

    # ... and the distributor its whole commission.
    mine_dist = await pages.open("/distributor", sharer, mobile=True)
    await mine_dist.locator("#withdraw-amount").fill(yuan(commission), timeout=WAIT)
    await mine_dist.locator("#withdraw-form button[type=submit]").click()
    await expect(mine_dist.locator("#withdraw-ok")).not_to_be_empty(timeout=WAIT)
    await expect(mine_dist.locator("#withdrawals")).to_contain_text(yuan(commission))
    await screenshot(mine_dist, "life-distributor-withdrawal")

    # An operator pays both (the console is its own issue; the API is the operator's today).
    [host_payout] = (await api(client, operator, "/api/admin/payouts"))["items"]
    [commission_out] = (await api(client, operator, "/api/admin/withdrawals"))["items"]
    for path in (
        f"/api/admin/payouts/{host_payout['id']}/approve",
        f"/api/admin/withdrawals/{commission_out['id']}/approve",
    ):
        approved = await client.post(path, json={}, headers=operator.headers)
        assert approved.status_code == 200, approved.text
    await payouts.reload()
    await expect(payouts.locator("#history tbody tr").first).to_contain_text("已到账", timeout=WAIT)
    await expect(payouts.locator('[data-card="payouts.paidOut"]')).to_contain_text(yuan(10_000))
    after = await api(client, host, "/api/host/payouts/summary")
    assert (after["available"], after["held"]) == (takings - 10_000, 0), after
    paid = await api(client, sharer, "/api/distributors/me")
    assert (paid["available"], paid["held"], paid["withdrawn"]) == (0, 0, commission), paid


async def eventually(read, wanted, seconds: float = 30):
    """Poll `read()` until it returns `wanted` (True) or `seconds` pass (False): the worker and the
    socket are asynchronous; the bound is generous and no timing is claimed."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (got := await read()) != wanted:
        if asyncio.get_running_loop().time() > deadline:
            print("last seen:", got)
            return False
        await asyncio.sleep(0.2)
    return True


async def _claimed(client, buyer) -> list[str]:
    mine = await api(client, buyer, "/api/me/coupons")
    return [c["coupon"]["title"] for c in mine["items"]]


async def _order_status(client, buyer, order_id: int) -> str:
    return (await api(client, buyer, f"/api/orders/{order_id}"))["status"]


async def _commission_statuses(client, sharer) -> list[str]:
    items = (await api(client, sharer, "/api/distributors/me/commissions"))["items"]
    return [item["status"] for item in items]
