"""The live room's parts at their edges, on a phone (420 x 860, and 360 wide where the header is
concerned): a red packet already grabbed or in a room that ended, the guest's way to log in, the
share sheet for a guest and a distributor, the pinned card beside the chat, a line typed while
the socket is away, the like count, coupons held across a reload, the site header in one row."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import expect

from tests.e2e.support import screenshot
from tests.promotions.support import fund
from tests.support import TestUser, create_room, go_live, live_room_with_product

WAIT = 15_000  # ms: an upper bound for a frame to cross, not a timing claim
PHONE = {"width": 420, "height": 860}
NARROW = {"width": 360, "height": 780}


async def _send_red_packet(client, host: TestUser, room_id: int, parts: int) -> dict[str, Any]:
    await fund(host, 100_000)
    sent = await client.post(
        f"/api/rooms/{room_id}/red-packets",
        json={"totalAmount": 100 * parts, "count": parts, "split": "equal", "greeting": "Luck"},
        headers=host.headers,
    )
    assert sent.status_code == 201, sent.text
    return dict(sent.json())


async def _joined(page) -> None:
    """The snapshot has been applied (the badge is set after everything it offers)."""
    await expect(page.locator("#status-badge")).not_to_have_text("", timeout=WAIT)
    await expect(page.locator("#main")).not_to_have_attribute("data-state", "loading")


async def test_a_red_packet_is_offered_once_per_viewer_and_never_in_an_ended_room(
    pages, client, user_factory
):
    host = await user_factory("rp_host", ["host"])
    grabber, waiter, late = (
        await user_factory("rp_grabber"),
        await user_factory("rp_waiter"),
        await user_factory("rp_late"),
    )
    room = await create_room(client, host, title="Lucky night")
    await go_live(client, host, room["id"])
    await _send_red_packet(client, host, room["id"], parts=3)

    page = await pages.open(f"/rooms/{room['id']}", grabber, mobile=True)
    dialog = page.locator("#rp-dialog")
    await expect(dialog).to_be_visible(timeout=WAIT)
    await dialog.get_by_role("button", name="Open").click()
    await expect(dialog.locator("#rp-amount")).to_have_text(re.compile(r"¥1\.00$"), timeout=WAIT)

    # Back in the room later: the snapshot says this viewer has a part, so nothing pops up.
    await page.reload()
    await _joined(page)
    await expect(page.locator("#status-badge")).to_have_text("LIVE")
    await expect(dialog).to_be_hidden()
    await screenshot(page, "room-red-packet-not-offered-again")
    # Someone who has not grabbed is still offered it (the packet is there to offer).
    other = await pages.open(f"/rooms/{room['id']}", waiter, mobile=True)
    await expect(other.locator("#rp-dialog")).to_be_visible(timeout=WAIT)

    ended = await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)
    assert ended.status_code == 200, ended.text
    # The unopened envelope goes away with the live; a newcomer to the ended room gets none.
    await expect(other.locator("#rp-dialog")).to_be_hidden(timeout=WAIT)
    await expect(other.locator("#state-panel")).to_contain_text("The live has ended")
    newcomer = await pages.open(f"/rooms/{room['id']}", late, mobile=True)
    await _joined(newcomer)
    await expect(newcomer.locator("#status-badge")).to_have_text("Ended")
    await expect(newcomer.locator("#rp-dialog")).to_be_hidden()
    await screenshot(newcomer, "room-ended-no-red-packet")


def _luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: list[float], b: list[float]) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


async def _contrast_of(locator) -> float:
    colours = await locator.evaluate(
        """el => {
          const s = getComputedStyle(el);
          const rgb = (v) => v.match(/[\\d.]+/g).map(Number);
          return { fg: rgb(s.color), bg: rgb(s.backgroundColor) };
        }"""
    )
    assert len(colours["bg"]) == 3 or colours["bg"][3] == 1, colours  # an opaque fill
    return _contrast(colours["fg"], colours["bg"])


async def test_the_guests_login_to_chat_link_is_readable(pages, client, user_factory):
    host = await user_factory("guest_host", ["host"])
    room, _ = await live_room_with_product(client, host, title="Green tea")
    page = await pages.open(f"/rooms/{room['id']}", mobile=True, locale="zh-CN")
    link = page.locator("#login-to-chat")
    await expect(link).to_have_text("登录后参与聊天", timeout=WAIT)
    ratio = await _contrast_of(link)
    assert ratio >= 4.5, ratio  # WCAG AA for text of this size
    await screenshot(page, "room-guest-login-to-chat")

    # The same rule had the panel's way home white on white in a room that is not live.
    quiet = await create_room(client, host, title="Not yet")
    idle = await pages.open(f"/rooms/{quiet['id']}", mobile=True, locale="zh-CN")
    home = idle.locator("#state-panel a.button")
    await expect(home).to_have_text("直播", timeout=WAIT)
    assert await _contrast_of(home) >= 4.5
    await screenshot(idle, "room-not-started")


async def test_the_share_sheet_gives_a_guest_the_plain_room_link(pages, client, user_factory):
    host = await user_factory("share_host", ["host"])
    room = await create_room(client, host, title="Share me")
    guest = await pages.open(f"/rooms/{room['id']}", mobile=True)
    await _joined(guest)
    await guest.locator("#share-button").click()
    body = guest.locator("#share-body")
    await expect(guest.locator("#share-url")).to_have_value(
        f"{guest.url.split('/rooms/')[0]}/rooms/{room['id']}", timeout=WAIT
    )
    await expect(body).to_contain_text("Become a distributor")
    assert "null" not in (await body.text_content() or "")
    await screenshot(guest, "room-share-guest")


async def test_the_share_sheet_gives_a_distributor_their_share_link(pages, client, user_factory):
    host = await user_factory("share_host", ["host"])
    sharer = await user_factory("share_sharer")
    room = await create_room(client, host, title="Share me")
    became = await client.post("/api/distributors", json={}, headers=sharer.headers)
    assert became.status_code == 201, became.text
    page = await pages.open(f"/rooms/{room['id']}", sharer, mobile=True)
    await _joined(page)
    await page.locator("#share-button").click()
    body = page.locator("#share-body")
    await expect(page.locator("#share-url")).to_have_value(re.compile(r"/s/\w+$"), timeout=WAIT)
    await expect(body.locator("img.qr")).to_be_visible()
    assert "null" not in (await body.text_content() or "")
    await screenshot(page, "room-share-distributor")


async def _box(locator) -> dict[str, float]:
    box = await locator.bounding_box()
    assert box is not None
    return dict(box)


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


async def test_the_pinned_card_sits_beside_the_chat_not_over_it(pages, client, user_factory):
    host = await user_factory("layout_host", ["host"])
    viewer = await user_factory("layout_fan")
    room, product = await live_room_with_product(client, host, title="Dragon Well, first flush")
    pinned = await client.post(
        f"/api/rooms/{room['id']}/pin", json={"productId": product["id"]}, headers=host.headers
    )
    assert pinned.status_code == 200, pinned.text

    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True, locale="zh-CN")
    await expect(page.locator("#pinned")).to_be_visible(timeout=WAIT)
    line = "这款龙井是今年明前的吗？想买两盒送人，包装是礼盒吗，能开发票吗"
    await page.locator("#chat-input").fill(line)
    await page.keyboard.press("Enter")
    last = page.locator("#chat li").last
    await expect(last).to_contain_text(line, timeout=WAIT)
    assert not _overlap(await _box(page.locator("#pinned")), await _box(last))
    await screenshot(page, "room-pinned-beside-chat")


async def test_the_coming_up_badge_stays_on_one_line(pages, client, user_factory):
    # A session coming up, a host with a long name, on the narrowest phone: 即将开播 in one line.
    upcoming_host = await user_factory("a_host_with_a_rather_long_name", ["host"])
    upcoming = await create_room(client, upcoming_host, title="Tomorrow's tasting")
    at = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    scheduled = await client.post(
        f"/api/rooms/{upcoming['id']}/sessions",
        json={"title": "Tomorrow's tasting", "scheduledAt": at},
        headers=upcoming_host.headers,
    )
    assert scheduled.status_code == 201, scheduled.text
    soon = await pages.open(f"/rooms/{upcoming['id']}", mobile=True, locale="zh-CN")
    badge = soon.locator("#status-badge")
    await expect(badge).to_have_text("即将开播", timeout=WAIT)
    # A session without a cover of its own: the panel leaves the picture out (no "null").
    await expect(soon.locator("#countdown")).to_be_visible()
    assert "null" not in (await soon.locator("#state-panel").text_content() or "")
    for viewport in (PHONE, NARROW):
        await soon.set_viewport_size(viewport)
        lines = await badge.evaluate(
            """el => {
              const s = getComputedStyle(el);
              const inner = el.getBoundingClientRect().height - parseFloat(s.paddingTop)
                - parseFloat(s.paddingBottom) - parseFloat(s.borderTopWidth)
                - parseFloat(s.borderBottomWidth);
              return inner / parseFloat(s.lineHeight);
            }"""
        )
        assert 0.9 < lines < 1.1, (viewport, lines)
    await screenshot(soon, "room-upcoming-badge-360")


async def test_a_line_typed_while_the_socket_is_away_is_sent_once_it_is_back(
    pages, client, user_factory
):
    host = await user_factory("net_host", ["host"])
    viewer = await user_factory("net_fan")
    room, _ = await live_room_with_product(client, host, title="Oolong")
    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True)
    await expect(page.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)

    # The socket drops, and the line is sent in that instant: before the page has reconnected.
    held = await page.evaluate(
        """() => {
          window.lcRoom.socket.ws.close();
          const input = document.querySelector("#chat-input");
          input.value = "typed while away";
          input.form.requestSubmit();
          const line = document.querySelector("#chat li.queued");
          return line && line.textContent;
        }"""
    )
    assert held and "typed while away" in held and "sends when reconnected" in held, held
    sent = page.locator("#chat li:not(.queued)", has_text="typed while away")
    await expect(sent).to_have_count(1, timeout=WAIT)
    await expect(page.locator("#chat li.queued")).to_have_count(0)
    await expect(page.locator("#conn")).to_be_hidden()
    # The host's console sees it too: it went to the server, not only onto this screen.
    console = await pages.open(f"/host/rooms/{room['id']}", host)
    await expect(console.locator("#console-chat li", has_text="typed while away")).to_be_visible(
        timeout=WAIT
    )


async def test_a_line_that_cannot_be_sent_says_so_and_comes_back_to_the_input(
    pages, client, user_factory
):
    host = await user_factory("gone_host", ["host"])
    viewer = await user_factory("gone_fan")
    room, _ = await live_room_with_product(client, host, title="Oolong")
    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True, locale="zh-CN")
    await expect(page.locator("#status-badge")).to_have_text("直播中", timeout=WAIT)

    # Offline: the socket cannot come back while the viewer types.
    await page.context.set_offline(True)
    await page.evaluate("window.lcRoom.socket.ws.close()")
    await expect(page.locator("#conn")).to_be_visible(timeout=WAIT)
    await page.locator("#chat-input").fill("还在吗")
    await page.keyboard.press("Enter")
    pending = page.locator("#chat li.queued", has_text="还在吗")
    await expect(pending).to_contain_text("重连后发送")
    await expect(page.locator("#chat-input")).to_have_value("")
    await screenshot(page, "room-chat-queued")
    # Meanwhile the host removes the viewer: the page comes back to a refusal, and the line says
    # it was not sent (its text back in the input).
    banned = await client.post(
        f"/api/rooms/{room['id']}/moderation",
        json={"action": "ban", "userId": viewer.id},
        headers=host.headers,
    )
    assert banned.status_code == 200, banned.text
    await page.context.set_offline(False)
    await expect(page.locator("#conn")).to_have_text("你已被移出该直播间", timeout=WAIT)
    failed = page.locator("#chat li.unsent", has_text="还在吗")
    await expect(failed).to_contain_text("发送失败，请重试")
    await expect(page.locator("#chat li.queued")).to_have_count(0)
    await expect(page.locator("#chat-input")).to_have_value("还在吗")
    await screenshot(page, "room-chat-failed")


async def test_the_like_count_shows_on_joining_and_follows_every_tick(pages, client, user_factory):
    host = await user_factory("like_host", ["host"])
    liker, watcher = await user_factory("like_fan"), await user_factory("like_watcher")
    room, _ = await live_room_with_product(client, host, title="Jasmine")
    page = await pages.open(f"/rooms/{room['id']}", liker, mobile=True)
    await expect(page.locator("#status-badge")).to_have_text("LIVE", timeout=WAIT)
    count = page.locator("#like-count")
    await expect(count).to_be_empty()
    for _ in range(3):
        await page.locator("#like-button").click()
    await expect(count).to_have_text("3", timeout=WAIT)

    other = await pages.open(f"/rooms/{room['id']}", watcher, mobile=True)
    await expect(other.locator("#like-count")).to_have_text("3", timeout=WAIT)  # the snapshot
    for _ in range(2):
        await page.locator("#like-button").click()
    await expect(other.locator("#like-count")).to_have_text("5", timeout=WAIT)  # a tick
    await expect(other.locator("#like-button")).to_have_attribute("aria-label", "Like · 5 likes")
    await screenshot(other, "room-like-count")


async def test_a_claimed_coupon_still_says_claimed_after_a_reload(pages, client, user_factory):
    host = await user_factory("cp_host", ["host"])
    viewer = await user_factory("cp_fan")
    room, _ = await live_room_with_product(client, host, title="White tea")
    made = await client.post(
        f"/api/rooms/{room['id']}/coupons",
        json={
            "title": "Spring 5 off",
            "kind": "amount_off",
            "amountOff": 500,
            "quota": 10,
            "validMinutes": 60,
            "drop": True,
        },
        headers=host.headers,
    )
    assert made.status_code == 201, made.text

    page = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True, locale="zh-CN")
    await page.locator("#bag-button").click(timeout=WAIT)
    card = page.locator("#bag-coupons .coupon", has_text="Spring 5 off")
    await card.get_by_role("button", name="领取 Spring 5 off").click(timeout=WAIT)
    await expect(card.locator("button")).to_have_text("已领取", timeout=WAIT)

    await page.reload()
    await _joined(page)
    await page.locator("#bag-button").click()
    button = page.locator("#bag-coupons .coupon", has_text="Spring 5 off").locator("button")
    await expect(button).to_have_text("已领取", timeout=WAIT)
    await expect(button).to_be_disabled()
    await screenshot(page, "room-coupon-claimed-after-reload")

    await page.evaluate("localStorage.setItem('lc.lang', 'en')")
    await page.reload()
    await _joined(page)
    await page.locator("#bag-button").click()
    button = page.locator("#bag-coupons .coupon", has_text="Spring 5 off").locator("button")
    await expect(button).to_have_text("Claimed", timeout=WAIT)
    await expect(button).to_be_disabled()


async def _header_fits(page) -> dict[str, Any]:
    return dict(
        await page.evaluate(
            """() => {
              const header = document.querySelector("header.site-header");
              const kids = [...header.children].filter((el) => el.getClientRects().length
                && getComputedStyle(el).position !== "absolute");
              const tops = kids.map((el) => el.getBoundingClientRect().top);
              const tallest = Math.max(...kids.map((el) => el.getBoundingClientRect().height));
              const s = getComputedStyle(header);
              const inner = header.getBoundingClientRect().height - parseFloat(s.paddingTop)
                - parseFloat(s.paddingBottom) - parseFloat(s.borderBottomWidth);
              return {
                rows: new Set(tops.map((top) => Math.round(top / 8))).size,
                spread: Math.max(...tops) - Math.min(...tops),
                inner, tallest,
                scrollWidth: document.documentElement.scrollWidth,
                innerWidth: window.innerWidth,
              };
            }"""
        )
    )


async def test_the_site_header_is_one_row_on_a_phone(pages, client, user_factory):
    host = await user_factory("header_host_with_a_long_name", ["host", "distributor"])
    for user, locale in ((host, "en-US"), (host, "zh-CN"), (None, "en-US")):
        page = await pages.open("/", user, mobile=True, locale=locale)
        await expect(page.locator("header.site-header nav a").first).to_be_visible(timeout=WAIT)
        if user is not None:
            await expect(page.locator("header.site-header nav a[href='/host']")).to_have_count(1)
        for viewport in (PHONE, NARROW):
            await page.set_viewport_size(viewport)
            fit = await _header_fits(page)
            assert fit["spread"] < 8 and fit["inner"] <= fit["tallest"] + 1, (viewport, fit)
            assert fit["scrollWidth"] <= fit["innerWidth"], (viewport, locale, fit)
        await screenshot(page, f"header-360-{locale}{'-guest' if user is None else ''}")
