"""A buyer whose refund the shop rejected asks the platform from the order page (a reason is
required), sees it as 平台处理中, and the operator's decision with its reason after a dismissal."""

from __future__ import annotations

from playwright.async_api import expect

from tests.admin.money_helpers import answer_refund, ask_refund, paid_order, product_sku

WAIT = 15_000


async def test_a_buyer_escalates_a_rejected_refund_from_the_order_page(pages, client, user_factory):
    admin = await user_factory("ops_desk", ["admin"])
    host = await user_factory("jar_shop", ["host"])
    buyer = await user_factory("jar_buyer")
    sku = await product_sku(client, host, 6_600)
    order = await paid_order(client, buyer, sku)
    refund = await ask_refund(client, buyer, order["id"])
    await answer_refund(client, host, refund["id"], "reject", "已超过七天")

    page = await pages.open(f"/me/orders/{order['id']}", buyer, mobile=True, locale="zh-CN")
    section = page.locator("#escalation")
    await expect(section).to_contain_text("商家拒绝了你的售后申请", timeout=WAIT)
    await section.get_by_role("button", name="申请平台介入").click()
    await expect(page.locator("#escalation-error")).to_contain_text("请填写申诉理由")
    await section.get_by_label("申诉理由").fill("收到就是碎的，有开箱视频")
    await section.get_by_role("button", name="申请平台介入").click()
    card = section.locator(".refund-card")
    await expect(card.locator(".badge")).to_have_text("平台处理中", timeout=WAIT)
    await expect(card).to_contain_text("收到就是碎的，有开箱视频")
    await expect(section.get_by_role("button", name="申请平台介入")).to_have_count(0)
    [escalation] = (
        await client.get(f"/api/orders/{order['id']}/escalations", headers=buyer.headers)
    ).json()
    assert (escalation["status"], escalation["reason"]) == ("open", "收到就是碎的，有开箱视频")

    dismissed = await client.post(
        f"/api/admin/disputes/escalations/{escalation['id']}/dismiss",
        json={"reason": "视频显示包装完好"},
        headers=admin.headers,
    )
    assert dismissed.status_code == 200, dismissed.text
    await page.reload()
    await expect(card.locator(".badge")).to_have_text("平台已驳回", timeout=WAIT)
    await expect(card).to_contain_text("平台说明：视频显示包装完好")
