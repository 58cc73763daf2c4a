"""The real channels behind outreach's own pipeline: `reach` makes the deliveries, the delivery
job sends them, and what arrives carries links that work: the push decrypts to the tracked
link (following it records the click), and the e-mail's List-Unsubscribe URL, POSTed the way a
mail provider's one-click button does (RFC 8058), stops that channel."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import msgspec
import pytest

from livecommerce.domains.outreach import config, delivery
from livecommerce.domains.outreach.channels import REGISTRY
from livecommerce.domains.outreach.email_channel import EmailChannel
from livecommerce.infra import db
from livecommerce.settings import Settings
from tests.outreach.push_receiver import BrowserKeys, HttpReceiver
from tests.outreach.smtp_server import SmtpServer
from tests.outreach.support import broadcast, deliveries, say
from tests.support import LiveServer, TestUser


async def opt_in(user_id: int, channel: str, email: str = "") -> None:
    """A standing opt-in to `channel`, and no quiet hours (the test may run at any hour)."""
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO outreach_consents (user_id, channel, host_id, standing)"
            " VALUES ($1, $2, 0, true)",
            user_id,
            channel,
        )
        await conn.execute(
            "INSERT INTO outreach_preferences (user_id, quiet_hours, email) VALUES ($1, 'off', $2)"
            " ON CONFLICT (user_id) DO UPDATE SET quiet_hours = 'off', email = EXCLUDED.email",
            user_id,
            email,
        )


@pytest.fixture
def restraint_defaults(live: LiveServer) -> Iterator[None]:
    # Links point at this test's live server: outreach's config is the process's, and an app
    # made by another test since (each create_app configures it) may name a server now gone.
    previous = config.use(
        cap_hours=16, quiet_hours="21:00-09:00", host_daily_cap=0, base_url=live.url.rstrip("/")
    )
    try:
        yield
    finally:
        config.use(previous)


async def delivery_row(delivery_id: int) -> dict:
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM outreach_deliveries WHERE id = $1", delivery_id)
    assert row is not None
    return dict(row)


async def test_a_journeys_push_arrives_decryptable_and_its_link_records_the_click(
    client: httpx.AsyncClient, live: LiveServer, user_factory, restraint_defaults
) -> None:
    host: TestUser = await user_factory("pipehost", ["host"])
    buyer: TestUser = await user_factory("pipebuyer")
    await opt_in(buyer.id, "webpush")
    keys = BrowserKeys.make()
    with HttpReceiver() as push_service:
        response = await client.post(
            "/api/me/push-subscriptions",
            json=keys.subscription(f"{push_service.url}/push/browser"),
            headers=buyer.headers,
        )
        assert response.status_code == 201, response.text
        message_id = await say(broadcast(buyer.id, host.id, "pipe-1", title="上新啦"))
        webpush_id = (await deliveries(message_id))["webpush"]
        assert await delivery.deliver(webpush_id, {}) == "delivered"
        # Run again (a retried job): claimed already, nothing more is pushed.
        assert await delivery.deliver(webpush_id, {}) == ""
    [request] = push_service.received
    payload = json.loads(keys.decrypt(request.body))
    assert payload["url"].startswith(f"{live.url}/o/")
    assert payload["unsubscribeUrl"].startswith(f"{live.url}/u/")
    assert payload["tag"] == f"lc-{webpush_id}"
    followed = await client.get(payload["url"], follow_redirects=False)
    assert followed.status_code in (302, 303, 307)
    row = await delivery_row(webpush_id)
    assert row["status"] == "delivered" and row["clicked_at"] is not None


async def test_a_journeys_email_carries_a_one_click_unsubscribe_that_works(
    client: httpx.AsyncClient, migrated: Settings, user_factory, restraint_defaults
) -> None:
    host: TestUser = await user_factory("mailhost", ["host"])
    buyer: TestUser = await user_factory("mailpipe")
    await opt_in(buyer.id, "email", email="pipe@example.com")
    before = REGISTRY.get("email")
    async with SmtpServer() as smtp:
        REGISTRY.register(
            EmailChannel(
                msgspec.structs.replace(
                    migrated,
                    smtp_host="127.0.0.1",
                    smtp_port=smtp.port,
                    smtp_user=smtp.user,
                    smtp_password=smtp.password,
                    smtp_starttls=False,
                ),
                timeout=10,
            )
        )
        try:
            message_id = await say(broadcast(buyer.id, host.id, "mail-1", title="会员日"))
            email_id = (await deliveries(message_id))["email"]
            assert await delivery.deliver(email_id, {}) == "delivered"
        finally:
            REGISTRY.unregister("email")
            if before is not None:
                REGISTRY.register(before)
    [got] = smtp.delivered
    assert got.rcpt_tos == ["pipe@example.com"]
    unsubscribe = got.message["List-Unsubscribe"].strip("<>")
    assert got.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # What Gmail's or Outlook's button sends: a form POST, no cookie, no login.
    async with httpx.AsyncClient(timeout=30) as mail_provider:
        response = await mail_provider.post(
            unsubscribe,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code < 300, response.text
    later = await say(broadcast(buyer.id, host.id, "mail-2"))
    assert "email" not in await deliveries(later)
