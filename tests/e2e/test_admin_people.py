"""The operator console's people, in real browsers: an operator logs in through /login,
approves a host application, bans a viewer who is watching a live room (the viewer's socket
closes and their next request is 401), and finds both in the audit list; the console is shut
to guests (sent to log in) and to everyone who is not an operator (403)."""

from __future__ import annotations

import re

from playwright.async_api import expect

from livecommerce.infra import db
from tests.e2e.support import screenshot
from tests.support import PASSWORD, create_room, go_live

WAIT = 15_000  # ms: an upper bound for a page or a frame, not a timing claim


async def _status_of_me(page) -> int:
    return await page.evaluate("fetch('/api/me', {credentials: 'same-origin'}).then(r => r.status)")


async def test_an_operator_approves_a_host_bans_a_watching_viewer_and_reads_the_audit(
    pages, client, user_factory
):
    await user_factory("ops_lead", ["admin"])
    applicant = await user_factory("tea_maker")
    host = await user_factory("tea_house", ["host"])
    viewer = await user_factory("spammer")
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO role_applications (user_id, role, status, note, created_at)"
            " VALUES ($1, 'host', 'pending', 'I grow oolong', now())",
            applicant.id,
        )
    room = await create_room(client, host)
    await go_live(client, host, room["id"])

    watching = await pages.open(f"/rooms/{room['id']}", viewer, mobile=True)
    await expect(watching.locator("main.stage")).to_have_attribute(
        "data-conn", "live", timeout=WAIT
    )

    # The operator logs in through the login page and lands in the console.
    console = await pages.open("/admin")
    await console.wait_for_url("**/login?next=%2Fadmin", timeout=WAIT)
    await expect(console.locator("#username")).to_be_focused(timeout=WAIT)
    await console.keyboard.type("ops_lead")
    await console.keyboard.press("Tab")
    await console.keyboard.type(PASSWORD)
    await console.keyboard.press("Enter")
    await console.wait_for_url(re.compile(r"/admin$"), timeout=WAIT)
    nav = console.get_by_role("navigation", name="Operator console")
    await expect(nav.get_by_role("link", name="Audit log")).to_be_visible(timeout=WAIT)

    # Approve the host application.
    await nav.get_by_role("link", name="Role applications").click()
    await console.wait_for_url("**/admin/applications", timeout=WAIT)
    row = console.locator("tr[data-username='tea_maker']")
    await expect(row).to_contain_text("I grow oolong", timeout=WAIT)
    await row.get_by_role("button", name="Approve tea_maker").click()
    await expect(row).to_have_count(0, timeout=WAIT)  # gone from the pending tab
    me = await client.get("/api/me", headers=applicant.headers)
    assert me.json()["roles"] == ["host"]

    # Find the viewer and ban them, with a reason the dialog insists on.
    await nav.get_by_role("link", name="Users").click()
    await console.wait_for_url("**/admin/users", timeout=WAIT)
    await console.get_by_label("Search").fill("spam")
    await console.keyboard.press("Enter")
    target = console.locator("tr[data-username='spammer']")
    await expect(console.locator("#users tbody tr")).to_have_count(1, timeout=WAIT)
    await target.get_by_role("button", name="Ban spammer").click()
    dialog = console.get_by_role("dialog", name="Ban spammer")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_label(re.compile("^Reason"))).to_be_focused()
    await dialog.get_by_role("button", name="Ban", exact=True).click()
    await expect(dialog.get_by_role("alert")).to_have_text("Please give a reason")
    await dialog.get_by_label(re.compile("^Reason")).fill("flooding the chat with links")
    await dialog.get_by_role("button", name="Ban", exact=True).click()
    await expect(dialog).to_be_hidden(timeout=WAIT)
    await expect(target).to_contain_text("Banned", timeout=WAIT)

    # The viewer's room socket is closed, and their next request is refused.
    await expect(watching.locator("main.stage")).to_have_attribute(
        "data-conn", "banned", timeout=WAIT
    )
    await expect(watching.locator("#conn")).to_have_text("You were removed from this room")
    assert await _status_of_me(watching) == 401
    await screenshot(watching, "admin-banned-viewer")
    await screenshot(console, "admin-users")

    # The user's page tells the same story; the new host is among the partners.
    await target.get_by_role("link", name="spammer").click()
    await console.wait_for_url(f"**/admin/users/{viewer.id}", timeout=WAIT)
    await expect(console.locator("#history")).to_contain_text("Banned a user", timeout=WAIT)
    await expect(
        console.locator("#user-actions").get_by_role("button", name="Unban")
    ).to_be_visible()
    await screenshot(console, "admin-user")
    await nav.get_by_role("link", name="Hosts & distributors").click()
    await expect(console.locator("#partners")).to_contain_text("@tea_maker", timeout=WAIT)
    await screenshot(console, "admin-partners")

    # Both decisions are in the audit list, as readable changes; filters narrow it.
    await nav.get_by_role("link", name="Audit log").click()
    await console.wait_for_url("**/admin/audit", timeout=WAIT)
    entries = console.locator("#entries tbody tr")
    await expect(entries).to_have_count(2, timeout=WAIT)
    ban = console.locator("tr[data-action='user.ban']")
    await expect(ban).to_contain_text("Banned a user")
    await expect(ban).to_contain_text("ops_lead")
    await expect(ban).to_contain_text("status: Active → Banned")
    await expect(ban).to_contain_text("flooding the chat with links")
    approval = console.locator("tr[data-action='role_application.approve']")
    await expect(approval).to_contain_text("Approved a role application")
    await expect(approval).to_contain_text("status: Pending → Approved")
    await console.get_by_label("Kind of action").select_option("user.")
    await console.get_by_label("Operator", exact=True).select_option(label="Ops_Lead (@ops_lead)")
    await console.get_by_role("button", name="Search").click()
    await expect(entries).to_have_count(1, timeout=WAIT)
    await expect(entries.first).to_have_attribute("data-action", "user.ban")
    await screenshot(console, "admin-audit")

    # The banned viewer can't log back in, and is told why.
    login = await pages.open("/login")
    await login.get_by_label("Username").fill("spammer")
    await login.get_by_label("Password").fill(PASSWORD)
    await login.get_by_role("button", name="Log in", exact=True).click()
    await expect(login.get_by_role("alert")).to_have_text(
        "This account is banned from the platform", timeout=WAIT
    )


async def test_the_console_sends_guests_to_log_in_and_tells_others_it_is_not_for_them(
    pages, user_factory
):
    viewer = await user_factory("curious")
    host = await user_factory("busy_host", ["host"])
    for path in ("/admin", "/admin/users/1", "/admin/audit"):
        guest = await pages.open(path)
        await guest.wait_for_url(re.compile(r"/login\?next="), timeout=WAIT)
        for who in (viewer, host):
            page = await pages.open(path, who, locale="zh-CN")
            await expect(page.locator("#admin-forbidden")).to_have_text(
                "403：只有运营人员可以打开运营后台。", timeout=WAIT
            )
            await expect(page.locator("#admin-content")).to_be_hidden()
