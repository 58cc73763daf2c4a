"""A broadcast from the console, end to end: the host schedules it with a cover, a viewer on a
phone (whose clock is off) counts down to it, the host goes live with a broken stream (the viewer
gets an error card with a retry button), reloads the console (its chat and chart come back), ends
the broadcast after confirming and lands on its report."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from PIL import Image
from playwright.async_api import expect

from tests.e2e.support import SCREENSHOTS, screenshot
from tests.live.test_session_report import buy
from tests.support import create_product, create_room

WAIT = 15_000  # ms: an upper bound for a frame to cross, not a timing claim
# The phone's clock runs two hours behind the server's: the countdown must not follow it.
SLOW_CLOCK = """
(() => {
  const real = Date.now.bind(Date);
  Date.now = () => real() - 2 * 3600 * 1000;
})();
"""


def _cover_png() -> bytes:
    """A poster: a warm diagonal gradient with a tea-green band."""
    image = Image.new("RGB", (480, 640))
    for y in range(640):
        for x in range(0, 480, 4):
            k = (x + y) / 1120
            colour = (254, int(44 + 132 * k), int(85 - 53 * k))
            if 380 < y < 460:
                colour = (60, 140, 80)
            for dx in range(4):
                image.putpixel((x + dx, y), colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def test_a_host_schedules_goes_live_with_a_broken_stream_ends_and_reads_the_report(
    pages, client, user_factory
):
    host = await user_factory("spring_host", ["host"])
    viewer = await user_factory("spring_fan")
    room = await create_room(client, host, title="Spring harvest")
    tea = await create_product(client, host, price=6800, stock=50, title="Mingqian Longjing 50 g")
    shown = await client.put(
        f"/api/rooms/{room['id']}/products", json={"productIds": [tea["id"]]}, headers=host.headers
    )
    assert shown.status_code == 200, shown.text

    # Nothing scheduled, never live: the room says so, not "Ended".
    phone = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True)
    await expect(phone.locator("#status-badge")).to_have_text("Not started", timeout=WAIT)
    await phone.context.add_init_script(SLOW_CLOCK)
    await phone.reload()
    await expect(phone.locator("#status-badge")).to_have_text("Not started", timeout=WAIT)

    console = await pages.open(f"/host/rooms/{room['id']}", host)
    await expect(console.locator("#session-status")).to_have_text("Not started", timeout=WAIT)
    await console.locator("#s-title").fill("First flush tasting")
    # <input type=datetime-local> takes the browser's local time (this machine's zone).
    local = datetime.now(UTC).astimezone() + timedelta(hours=1, minutes=2)
    starts = local.strftime("%Y-%m-%dT%H:%M")
    await console.locator("#s-starts").fill(starts)
    await console.locator("#s-cover-file").set_input_files(
        {"name": "cover.png", "mimeType": "image/png", "buffer": _cover_png()}
    )
    await expect(console.locator("#s-cover")).to_have_value(re.compile(r"^/media/"), timeout=WAIT)
    await expect(console.locator("#s-cover-preview")).to_be_visible()
    await console.locator("#s-submit").click()
    await expect(console.locator("#schedule-ok")).to_contain_text("Scheduled", timeout=WAIT)
    scheduled = console.locator("#sessions li[data-status=scheduled]")
    await expect(scheduled).to_have_count(1)
    await expect(scheduled).to_contain_text("First flush tasting")
    await expect(console.locator("#session-status")).to_have_text("Upcoming", timeout=WAIT)

    # The waiting viewer hears of it at once: cover and a countdown on the server's clock.
    await expect(phone.locator("#status-badge")).to_have_text("Upcoming", timeout=WAIT)
    await expect(phone.locator("#upcoming-cover")).to_have_attribute("src", re.compile(r"^/media/"))
    await expect(phone.locator("#countdown")).to_have_text(
        re.compile(r"Starts in (01:0[01]|00:59):\d\d"), timeout=WAIT
    )
    await screenshot(phone, "room-countdown")
    await screenshot(console, "host-console-scheduled")

    # Live, with a stream nobody serves: an error card with a retry button, not a black screen.
    await console.locator("#hls-url").fill("/static/no-such-stream/live.m3u8")
    await console.locator("#go-live").click()
    await expect(console.locator("#session-status")).to_have_text("LIVE", timeout=WAIT)
    await expect(phone.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)
    card = phone.locator("#playback-error")
    await expect(card).to_be_visible(timeout=WAIT)
    await expect(card).to_contain_text("The live video didn't load")
    await screenshot(phone, "room-playback-error")
    retry = phone.locator("#playback-retry")
    await retry.focus()
    await phone.keyboard.press("Enter")
    await expect(card).to_be_hidden(timeout=WAIT)  # loading again
    await expect(card).to_be_visible(timeout=WAIT)  # and still broken

    # The viewer opens the product and buys two (paid through the API: the buy sheet is tested
    # elsewhere), so the report has a funnel and a top product.
    await phone.evaluate(
        f"window.lcRoom.socket.send({{type: 'view_product', productId: {tea['id']}}})"
    )
    await buy(client, viewer, tea["skus"][0]["id"], room["id"], quantity=2)
    await expect(console.locator("#stat-orders")).to_have_text("1", timeout=WAIT)

    # The viewer says something; the host's console reloads and still has it, and its chart.
    await phone.locator("#chat-input").fill("Can't wait!")
    await phone.keyboard.press("Enter")
    await expect(console.locator("#console-chat li", has_text="Can't wait!")).to_be_visible(
        timeout=WAIT
    )
    await console.reload()
    await expect(console.locator("#console-chat li", has_text="Can't wait!")).to_be_visible(
        timeout=WAIT
    )
    await expect(console.locator("#trend canvas")).to_have_count(1, timeout=WAIT)
    # One point spans minutes, not the years uPlot gives a lone point in seconds mode.
    span = await console.evaluate(
        "() => { const x = window.lcConsole.stats.plot.scales.x; return x.max - x.min; }"
    )
    assert 0 < span < 3600, span

    # Ending asks first: Escape keeps the broadcast on air.
    await console.locator("#end-live").click()
    dialog = console.locator("#end-dialog")
    await expect(dialog).to_be_visible()
    await expect(console.get_by_role("button", name="Stay live")).to_be_focused()
    await screenshot(console, "host-console-end-confirm")
    await console.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(console.locator("#session-status")).to_have_text("LIVE")
    await expect(console.locator("#end-live")).to_be_focused()

    await console.locator("#end-live").click()
    await console.keyboard.press("Tab")  # from "Stay live" on to "End broadcast"
    await expect(console.locator("#end-confirm")).to_be_focused()
    await console.keyboard.press("Enter")
    await console.wait_for_url(re.compile(r"/host/sessions/\d+/report$"), timeout=WAIT)
    await expect(console.locator("body[data-ready=true]")).to_have_count(1, timeout=WAIT)
    await expect(console.locator("#report-title")).to_contain_text("First flush tasting")
    await expect(console.locator("#funnel li")).to_have_count(4)
    await expect(console.locator("#funnel-viewers")).to_have_text(re.compile(r"^[1-9]\d*$"))
    await expect(console.locator("#online-chart canvas")).to_have_count(1)
    await expect(console.locator("#sales-chart canvas")).to_have_count(1)
    await expect(console.locator("#figure-comments")).to_have_text("1")
    await expect(console.locator("#figure-orders")).to_have_text("1")
    await expect(console.locator("#funnel-productVisitors")).to_have_text("1")
    await expect(console.locator("#funnel-payers")).to_have_text("1")
    await expect(console.locator("#top-products tbody tr")).to_have_count(1)
    await expect(console.locator("#top-products tbody tr")).to_contain_text("136.00")
    await expect(console.locator("#by-distributor tr.direct")).to_contain_text("136.00")
    await expect(console.locator("#report-cover")).to_have_attribute("src", re.compile(r"^/media/"))
    SCREENSHOTS.mkdir(exist_ok=True)  # the whole report, not only what fits the window
    await console.screenshot(path=str(SCREENSHOTS / "session-report.png"), full_page=True)

    await expect(phone.locator("#status-badge")).to_have_text("Ended", timeout=WAIT)
    await expect(card).to_be_hidden()

    # The console lists the broadcast with its report.
    await console.locator("#to-console").click()
    ended = console.locator("#sessions li[data-status=ended]")
    await expect(ended).to_have_count(1, timeout=WAIT)
    await ended.get_by_role("link", name=re.compile("Report")).click()
    await console.wait_for_url(re.compile(r"/host/sessions/\d+/report$"), timeout=WAIT)
