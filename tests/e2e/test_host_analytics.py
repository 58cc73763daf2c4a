"""Behaviour events from a real browser, and where the host reads them: a guest in a live room
opens the bag, a product and the share sheet (the page's beacon), the socket records the visit;
the host's analytics page shows the funnel, and the session report the sales decomposition."""

from __future__ import annotations

import asyncio

from playwright.async_api import expect

from livecommerce.domains.analytics import store
from livecommerce.infra import db
from tests.e2e.support import screenshot
from tests.support import live_room_with_product, pay_through_sandbox, place_order

WAIT = 15_000


async def _kinds(room_id: int) -> dict[str, int]:
    await store.flush()
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT kind, count(*) AS n FROM behaviour_events WHERE room_id = $1 GROUP BY kind",
            room_id,
        )
    return {r["kind"]: int(r["n"]) for r in rows}


async def test_a_guests_visit_becomes_events_and_the_host_reads_the_funnel(
    pages, client, user_factory
) -> None:
    host, buyer = await user_factory("teahouse", ["host"]), await user_factory("buyer")
    room, item = await live_room_with_product(client, host, price=5800)
    session_id = (await client.get(f"/api/rooms/{room['id']}")).json()["session"]["id"]

    page = await pages.open(f"/rooms/{room['id']}", locale="zh-CN", mobile=True)
    await page.locator("#bag-button").click()
    await page.locator("#bag-list button.primary").first.click()  # 购买: opens the product
    await page.keyboard.press("Escape")
    await page.locator("#share-button").click()
    await page.close()  # pagehide: what is queued goes with sendBeacon
    async with asyncio.timeout(15):
        # The beacon leaves with the page: poll the table, nothing else signals it arrived.
        while not {"bag_open", "product_view", "share", "room_leave"} <= set(  # noqa: ASYNC110
            seen := await _kinds(room["id"])
        ):
            await asyncio.sleep(0.2)
    assert seen["room_enter"] >= 1

    order = (await place_order(client, buyer, item["skus"][0]["id"], roomId=room["id"])).json()
    await pay_through_sandbox(client, buyer, order["id"])

    desk = await pages.open("/host/analytics", host, locale="zh-CN")
    steps = desk.locator("#funnel li")
    await expect(steps).to_have_count(4, timeout=WAIT)
    await expect(steps.first).to_contain_text("进入直播间")
    await expect(desk.locator("#funnel-chart canvas")).to_have_count(1)
    await expect(desk.locator("#visitors-chart canvas")).to_have_count(1)
    # The host picks the broadcast by its title, not its id; the filters are a form, so Enter
    # in one of its fields asks again (keyboard).
    session_choice = desk.locator(f'#f-session option[value="{session_id}"]')
    await expect(session_choice).to_have_count(1, timeout=WAIT)
    await desk.get_by_label("场次", exact=True).select_option(str(session_id))
    await desk.get_by_label("转化窗口（小时）").press("Enter")
    await expect(steps.first).to_contain_text("1", timeout=WAIT)
    await screenshot(desk, "host-analytics")

    report = await pages.open(f"/host/sessions/{session_id}/report", host, locale="zh-CN")
    await expect(report.locator("#decomp-sales")).to_have_text("¥58.00", timeout=WAIT)
    await expect(report.locator("#decomp-previous")).to_contain_text("第一场")
    await screenshot(report, "session-report-decomposition")
