"""The console's money pages in a desktop browser, in Chinese: an operator approves a
distributor's withdrawal and rejects another with a reason (which the distributor's page then
shows), refunds a buyer who escalated a rejected refund, changes a setting (a refused change is
named next to its field; the saved one is listed as before → after), and reads the reports,
whose figures are the API's, with the reconciliation warning for a payment past its deadline;
then finds every one of those decisions in the audit list. A viewer gets the 403 notice, a
guest the login page."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.admin.money_helpers import (
    answer_refund,
    ask_refund,
    complete,
    fund_wallet,
    paid_order,
    product_sku,
    scalar,
)
from tests.distribution.helpers import become
from tests.e2e.support import screenshot
from tests.support import place_order

WAIT = 15_000


async def _setup(client, user_factory) -> dict:
    admin = await user_factory("ops", ["admin"])
    dist = await user_factory("xiaomei", ["distributor"])
    await become(client, dist)
    await fund_wallet(dist.id, 10_000)
    asked = []
    for amount in (3_000, 2_000):
        response = await client.post(
            "/api/distributors/me/withdrawals", json={"amount": amount}, headers=dist.headers
        )
        assert response.status_code == 201, response.text
        asked.append(response.json())
    host = await user_factory("tea_house", ["host"])
    buyer = await user_factory("buyer")
    sku = await product_sku(client, host, 12_800)
    done = await paid_order(client, buyer, sku)
    await complete(client, admin, host, buyer, done["id"])
    disputed = await paid_order(client, buyer, sku)
    refund = await ask_refund(client, buyer, disputed["id"])
    await answer_refund(client, host, refund["id"], "reject", "商品无质量问题")
    escalated = await client.post(
        f"/api/orders/{disputed['id']}/escalate",
        json={"reason": "茶叶受潮，有照片"},
        headers=buyer.headers,
    )
    assert escalated.status_code == 201, escalated.text
    stale = await place_order(client, buyer, sku)
    started = await client.post(
        f"/api/orders/{stale.json()['id']}/pay", json={"method": "gateway"}, headers=buyer.headers
    )
    assert started.status_code == 200, started.text
    await scalar(
        "UPDATE orders SET payment_deadline = now() - interval '5 minutes' WHERE id = $1"
        " RETURNING id",
        stale.json()["id"],
    )
    return {"admin": admin, "dist": dist, "asked": asked, "disputed": disputed}


async def test_an_operator_decides_withdrawals_a_dispute_a_setting_and_reads_the_reports(
    pages, client, user_factory
):
    people = await _setup(client, user_factory)
    admin, dist = people["admin"], people["dist"]
    first, second = people["asked"]

    page = await pages.open("/admin/withdrawals", admin, locale="zh-CN")
    row = page.locator(f'#pending tr[data-kind="withdrawal"][data-id="{first["id"]}"]')
    await expect(row).to_contain_text("xiaomei", timeout=WAIT)
    await expect(row).to_contain_text("¥30.00")
    await expect(page.locator("#summary")).to_contain_text("2 笔待审核")
    await row.get_by_role("button", name=re.compile("^批准")).click()
    dialog = page.locator("dialog[open]")
    await expect(dialog).to_contain_text("实际打款 ¥30.00")
    await dialog.get_by_role("button", name="批准").click()
    await expect(row).to_have_count(0, timeout=WAIT)
    other = page.locator(f'#pending tr[data-kind="withdrawal"][data-id="{second["id"]}"]')
    await other.get_by_role("button", name=re.compile("^驳回")).click()
    dialog = page.locator("dialog[open]")
    await dialog.get_by_role("button", name="驳回").click()
    await expect(dialog).to_contain_text("请填写原因")
    await dialog.get_by_label("原因").fill("实名信息与收款账户不一致")
    await dialog.get_by_role("button", name="驳回").click()
    await expect(other).to_have_count(0, timeout=WAIT)
    await expect(page.locator("#pending")).to_contain_text("没有待审核的提现")
    recent = page.locator("#recent")
    await expect(recent).to_contain_text("实名信息与收款账户不一致")
    await expect(recent.locator(".badge").first).to_have_text("已拒绝")
    await expect(recent.locator(".badge").nth(1)).to_have_text("已打款")
    await screenshot(page, "admin-withdrawals")

    mine = await pages.open("/distributor", dist, locale="zh-CN")
    reason = mine.locator(f'#withdrawals tr[data-withdrawal-id="{second["id"]}"]')
    await expect(reason).to_contain_text("实名信息与收款账户不一致", timeout=WAIT)

    # The escalated order: the operator refunds part of it to the buyer.
    order_id = people["disputed"]["id"]
    await page.goto("/admin/disputes")
    item = page.locator(f'#disputes tr[data-order-id="{order_id}"]')
    await expect(item).to_contain_text("茶叶受潮，有照片", timeout=WAIT)
    await expect(item).to_contain_text("商品无质量问题")
    await item.get_by_role("button", name=f"退款给买家 #{order_id}").click()
    dialog = page.locator("dialog[open]")
    await expect(dialog.get_by_label("退款金额（元）")).to_have_value("128.00")
    await dialog.get_by_label("退款金额（元）").fill("200")
    await dialog.get_by_label("原因（买家会看到）").fill("平台核实商品受潮，退一半")
    await dialog.get_by_role("button", name="退款给买家").click()
    await expect(dialog).to_contain_text("不超过 ¥128.00")
    await dialog.get_by_label("退款金额（元）").fill("64")
    await dialog.get_by_role("button", name="退款给买家").click()
    await expect(dialog).to_have_count(0, timeout=WAIT)
    await page.get_by_role("button", name="全部").click()
    await expect(item).to_contain_text("已退款", timeout=WAIT)
    await expect(item).to_contain_text("已退 ¥64.00")
    refunded = await scalar("SELECT refunded_amount FROM orders WHERE id = $1", order_id)
    assert refunded == 6_400

    # Settings: a change the server refuses is named at its field; a good one is listed.
    await page.goto("/admin/settings")
    cap = page.get_by_label("佣金比例合计上限")
    await expect(cap).to_have_value("30", timeout=WAIT)
    await cap.fill("12")
    await page.get_by_role("button", name="保存修改").click()
    await expect(page.locator("#err-levelRatesBp")).not_to_be_empty(timeout=WAIT)
    await cap.fill("abc")
    await page.get_by_role("button", name="保存修改").click()
    await expect(page.locator("#err-rateCapBp")).to_contain_text("百分比")
    await page.get_by_role("button", name="撤销未保存的修改").click()
    await page.get_by_label("最低提现金额").fill("5")
    await page.get_by_label("提现手续费").fill("1.5")
    await page.get_by_role("button", name="保存修改").click()
    await expect(page.locator("#saved")).to_have_text("已保存 2 项修改", timeout=WAIT)
    change = page.locator("#changes tbody tr").first
    await expect(change.locator('[data-field="withdrawalMin"]')).to_have_text(
        "最低提现金额: ¥1.00 → ¥5.00"
    )
    await expect(change.locator('[data-field="withdrawalFeeBp"]')).to_have_text(
        "提现手续费: 0% → 1.5%"
    )
    await expect(change).to_contain_text("ops")
    await screenshot(page, "admin-settings")
    settings = (await client.get("/api/admin/settings", headers=admin.headers)).json()
    assert (settings["withdrawalMin"], settings["withdrawalFeeBp"]) == (500, 150)

    # Reports: every figure on the page is the API's.
    await page.goto("/admin/reports")
    totals = page.locator("#totals")
    await expect(totals.locator("[data-figure]")).to_have_count(7, timeout=WAIT)
    daily = (await client.get("/api/admin/reports/daily", headers=admin.headers)).json()
    assert daily["totals"]["gmv"] == 2 * 12_800  # the stale order was never paid
    for key, value in daily["totals"].items():
        await expect(totals.locator(f'[data-figure="{key}"]')).to_have_attribute(
            "data-value", str(value)
        )
    await expect(totals.locator('[data-figure="gmv"] .stat')).to_have_text("¥256.00")
    pending = (await client.get("/api/admin/reports/pending", headers=admin.headers)).json()
    for key, value in pending.items():
        await expect(page.locator(f'#pending [data-figure="{key}"]')).to_have_attribute(
            "data-value", str(value)
        )
    hosts = (await client.get("/api/admin/reports/top?by=host", headers=admin.headers)).json()
    top = page.locator('#top-host tr[data-id] [data-figure="gmv"]').first
    await expect(top).to_have_attribute("data-value", str(hosts["rows"][0]["gmv"]))
    await expect(page.locator("#gmv-chart .uplot")).to_have_count(1)
    recon = page.locator("#reconciliation")
    await expect(recon).to_have_class(re.compile("warning"))
    await expect(recon).to_have_attribute("data-overdue", "1")
    await expect(page.locator("#recon-status")).to_contain_text("1 笔支付已超过期限")
    await screenshot(page, "admin-reports")

    await page.goto("/admin")
    figures = page.locator("#overview-figures")
    overview = (await client.get("/api/admin/reports/overview", headers=admin.headers)).json()
    await expect(figures.locator('[data-figure="gmvToday"]')).to_have_attribute(
        "data-value", str(overview["gmvToday"]), timeout=WAIT
    )
    await expect(figures.locator('[data-figure="escalations"]')).to_have_attribute(
        "data-value", "0"
    )

    # Every decision of this session is in the audit list, with its reason, by this operator.
    await page.goto("/admin/audit")
    entries = page.locator("#entries tbody tr")
    for action, words in (
        ("withdrawal.approve", "批准提现"),
        ("withdrawal.reject", "实名信息与收款账户不一致"),
        ("refund.dispute", "平台核实商品受潮，退一半"),
        ("settings.update", "修改设置"),
    ):
        row = page.locator(f"#entries tr[data-action='{action}']")
        await expect(row).to_have_count(1, timeout=WAIT)
        await expect(row).to_contain_text(words)
        await expect(row).to_contain_text("ops")
    audited = (await client.get("/api/admin/audit", headers=admin.headers)).json()["items"]
    await expect(entries).to_have_count(len(audited))
    await screenshot(page, "admin-audit-money")

    viewer = await user_factory("viewer")
    refused = await pages.open("/admin/reports", viewer, locale="zh-CN")
    await expect(refused.locator("#admin-forbidden")).to_be_visible(timeout=WAIT)
    await expect(refused.locator("#admin-content")).to_be_hidden()
    guest = await pages.open("/admin/withdrawals")
    await guest.wait_for_url("**/login?next=%2Fadmin%2Fwithdrawals", timeout=WAIT)
