"""A host's staff member, in a browser: opens a buyer's customer 360 from the order on the desk,
adds a note and a tag and sets the follow-up status; the page shows them, a reload keeps them,
and the database holds them with the staff member as their author."""

from __future__ import annotations

from playwright.async_api import expect

from livecommerce.infra import db
from tests.e2e.support import screenshot
from tests.support import TestUser, create_product, pay_through_sandbox, place_order

WAIT = 15_000


async def test_staff_open_a_buyers_360_from_the_desk_and_add_a_note_a_tag_and_a_status(
    pages, client, user_factory, app
):
    host = await user_factory("teashop", ["host"])
    buyer = await user_factory("teabuyer")
    sku = (await create_product(client, host, price=6800, title="明前龙井"))["skus"][0]["id"]
    order_id = (await place_order(client, buyer, sku)).json()["id"]
    await pay_through_sandbox(client, buyer, order_id)
    made = await client.post(
        "/api/host/staff",
        json={"username": "xiaowang", "password": "aide-password-1", "displayName": "小王"},
        headers=host.headers,
    )
    assert made.status_code == 201, made.text
    login = await client.post(
        "/api/auth/login", json={"username": "xiaowang", "password": "aide-password-1"}
    )
    client.cookies.clear()
    aide = TestUser(
        id=made.json()["userId"], username="xiaowang", token=login.json()["token"], roles=["staff"]
    )

    page = await pages.open("/host/orders", aide, locale="zh-CN")
    row = page.locator(f'#orders tr[data-order-id="{order_id}"]')
    await expect(row).to_contain_text("明前龙井", timeout=WAIT)
    # Staff read the desk: no ship button for them.
    await expect(row.get_by_role("button", name=f"发货 #{order_id}")).to_have_count(0)
    await row.get_by_role("link", name="买家 Teabuyer").click()

    await expect(page).to_have_url(f"/host/members/{buyer.id}", timeout=WAIT)
    await expect(page.locator("#member-name")).to_have_text("Teabuyer", timeout=WAIT)
    await expect(page.locator('[data-figure="spend"]')).to_contain_text("68")
    await expect(page.locator(f'#orders tr[data-order-id="{order_id}"]')).to_be_visible()

    await page.get_by_label("添加备注").first.fill("喜欢绿茶，周末有空")
    await page.get_by_role("button", name="添加备注").click()
    await expect(page.locator("#notes")).to_contain_text("喜欢绿茶，周末有空", timeout=WAIT)
    await expect(page.locator("#notes")).to_contain_text("小王")

    await page.get_by_label("新标签").fill("爱喝绿茶")
    await page.get_by_role("button", name="新建并添加").click()
    await expect(page.locator("#tags")).to_contain_text("爱喝绿茶", timeout=WAIT)

    await page.get_by_label("选择跟进状态").select_option("in_progress")
    await page.get_by_role("button", name="更新状态").click()
    await expect(page.locator("#follow-history")).to_contain_text("待跟进 → 跟进中", timeout=WAIT)
    await page.get_by_label("选择跟进状态").select_option("won")
    await page.get_by_role("button", name="更新状态").click()
    await expect(page.locator("#follow-history")).to_contain_text("跟进中 → 已成交", timeout=WAIT)
    await screenshot(page, "customer-360")

    await page.reload()
    await expect(page.locator("#notes")).to_contain_text("喜欢绿茶，周末有空", timeout=WAIT)
    await expect(page.locator("#tags")).to_contain_text("爱喝绿茶")
    await expect(page.get_by_label("选择跟进状态")).to_have_value("won")
    await expect(page.locator("#follow-history li")).to_have_count(2)

    # The tag comes off again with the keyboard-reachable remove button.
    await page.get_by_role("button", name="移除标签 爱喝绿茶").click()
    await expect(page.locator("#tags")).not_to_contain_text("爱喝绿茶", timeout=WAIT)

    # The member list shows the buyer with the follow-up status.
    listing = await pages.open("/host/members", aide, locale="zh-CN")
    member_row = listing.locator(f'#members tr[data-user-id="{buyer.id}"]')
    await expect(member_row).to_contain_text("已成交", timeout=WAIT)
    await expect(listing.locator("#live-count")).to_contain_text("1", timeout=WAIT)
    await screenshot(listing, "host-members")

    async with db.connection() as conn:
        note = await conn.fetchrow("SELECT author_id, host_id FROM member_notes")
        assert (note["author_id"], note["host_id"]) == (aide.id, host.id)
        changes = await conn.fetch(
            "SELECT from_status, to_status, actor_id FROM member_followup_history ORDER BY id"
        )
        assert [(c["from_status"], c["to_status"], c["actor_id"]) for c in changes] == [
            ("todo", "in_progress", aide.id),
            ("in_progress", "won", aide.id),
        ]


async def test_a_host_adds_and_removes_a_staff_account_on_the_staff_page(pages, user_factory):
    host = await user_factory("staffshop", ["host"])
    page = await pages.open("/host/staff", host, locale="zh-CN")
    await page.get_by_label("用户名").fill("xiaoli")
    await page.get_by_label("初始密码", exact=False).fill("aide-password-2")
    await page.get_by_label("昵称（新建账号时）").fill("小李")
    await page.get_by_role("button", name="添加", exact=True).click()
    await expect(page.locator("#staff")).to_contain_text("小李", timeout=WAIT)
    await screenshot(page, "host-staff")
    await page.reload()
    await expect(page.locator("#staff")).to_contain_text("@xiaoli", timeout=WAIT)
    await page.get_by_role("button", name="移除员工 xiaoli").click()
    await expect(page.locator("#staff")).to_contain_text("还没有员工", timeout=WAIT)
    async with db.connection() as conn:
        roles = await conn.fetchval("SELECT roles FROM users WHERE username = 'xiaoli'")
        assert list(roles) == []
        assert await conn.fetchval("SELECT count(*) FROM host_staff") == 0
