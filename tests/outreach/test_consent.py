"""Consent and preferences over HTTP, the unsubscribe link without login (a forged one refused),
and the tracked link that records a click and never leads off the site."""

from __future__ import annotations

import httpx

from livecommerce.domains.outreach import delivery, links
from livecommerce.infra import db
from tests.outreach.support import (
    broadcast,
    deliveries,
    opt_in,
    put_settings,
    recorders,
    say,
    statuses,
)

__all__ = ["recorders"]


async def test_settings_round_trip_and_bad_input_is_a_problem_not_a_5xx(
    app, client, user_factory, recorders
):
    buyer = await user_factory("prefs")
    fresh = (await client.get("/api/me/notification-settings", headers=buyer.headers)).json()
    by_channel = {c["channel"]: c for c in fresh["channels"]}
    assert by_channel["inbox"] == {
        "channel": "inbox",
        "available": True,
        "needsConsent": False,
        "standing": True,
        "onceLeft": 0,
    }
    assert by_channel["email"]["standing"] is False  # opt-in, never opt-out
    assert fresh["effectiveQuietHours"] == "21:00-09:00" and fresh["lang"] == "zh-CN"
    changed = await put_settings(
        client,
        buyer,
        channels=[{"channel": "email", "standing": True}],
        timeZone="Europe/Paris",
        quietHours="22:30-07:00",
        lang="en",
        email="me@example.com",
    )
    assert {c["channel"]: c["standing"] for c in changed["channels"]}["email"] is True
    assert (changed["timeZone"], changed["quietHours"], changed["lang"], changed["email"]) == (
        "Europe/Paris",
        "22:30-07:00",
        "en",
        "me@example.com",
    )
    for body, field in [
        ({"timeZone": "Mars/Olympus"}, "timeZone"),
        ({"quietHours": "25:00-07:00"}, "quietHours"),
        ({"email": "not an address"}, "email"),
        ({"lang": "fr"}, "lang"),
        ({"channels": [{"channel": "pigeon", "standing": True}]}, "channels"),
    ]:
        refused = await client.put(
            "/api/me/notification-settings", json=body, headers=buyer.headers
        )
        assert refused.status_code == 422, refused.text
        assert (refused.json()["code"], refused.json()["field"]) == (
            "notification_settings_invalid",
            field,
        )
    unknown = await client.post("/api/me/consents/pigeon/once", headers=buyer.headers)
    assert unknown.status_code == 404
    for _ in range(20):
        await client.post("/api/me/consents/sms/once", headers=buyer.headers)
    over = await client.post("/api/me/consents/sms/once", headers=buyer.headers)
    assert over.status_code == 409 and over.json()["code"] == "consent_limit_reached"
    anonymous = await client.get("/api/me/notification-settings")
    assert anonymous.status_code == 401


async def test_the_unsubscribe_link_works_without_login_and_a_forged_one_is_refused(
    app, client, user_factory, recorders
):
    host = await user_factory("chatty", ["host"])
    other_host = await user_factory("quiet", ["host"])
    buyer = await user_factory("leaver")
    await opt_in(client, buyer, "email")
    pending = await deliveries(await say(broadcast(buyer.id, host.id, "before")))
    token = links.unsubscribe_token(buyer.id, "email", host.id)

    async with httpx.AsyncClient(base_url=str(client.base_url)) as stranger:  # no login at all
        page = await stranger.get(f"/u/{token}")
        assert page.status_code == 200 and "退订" in page.text and "Chatty" in page.text
        assert "<script" not in page.text

        forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        other_user = links.unsubscribe_token(buyer.id + 1, "email", host.id).rsplit(".", 1)[0]
        spliced = f"{other_user}.{token.rsplit('.', 1)[1]}"  # another user's body, this mac
        for bad in (forged, spliced, "1-email-0", "garbage"):
            refused = await stranger.post(f"/u/{bad}", data={"scope": "all"})
            assert refused.status_code == 404, (bad, refused.text)
            assert refused.json()["code"] == "outreach_link_invalid"
            assert (await stranger.get(f"/u/{bad}")).status_code == 404
        settings = (await client.get("/api/me/notification-settings", headers=buyer.headers)).json()
        assert {c["channel"]: c["standing"] for c in settings["channels"]}["email"] is True

        # A form post from the page (the default scope: this host only).
        done = await stranger.post(f"/u/{token}", data={"scope": "host"})
        assert done.status_code == 200 and "已退订" in done.text
    # The message made before is not sent; the next from this host gets no e-mail; another
    # host's does.
    assert await delivery.deliver(pending["email"], {}) == "skipped:unsubscribed"
    assert "email" not in await deliveries(await say(broadcast(buyer.id, host.id, "after")))
    assert "email" in await deliveries(await say(broadcast(buyer.id, other_host.id, "after-other")))
    settings = (await client.get("/api/me/notification-settings", headers=buyer.headers)).json()
    assert settings["muted"] == [{"channel": "email", "hostId": host.id, "hostName": "Chatty"}]

    # JSON, scope all: the whole channel is off (and a mail provider's one-click works the same).
    everything = links.unsubscribe_token(buyer.id, "email", other_host.id)
    async with httpx.AsyncClient(base_url=str(client.base_url)) as stranger:
        done = await stranger.post(f"/u/{everything}", json={"scope": "all"})
    assert done.status_code == 200 and done.json() == {
        "channel": "email",
        "scope": "all",
        "hostId": None,
    }
    assert "email" not in await deliveries(await say(broadcast(buyer.id, other_host.id, "later")))
    assert recorders["email"].sent == []


async def test_every_message_carries_its_signed_links(app, client, user_factory, recorders):
    buyer = await user_factory("linked")
    await opt_in(client, buyer)
    ids = await deliveries(await say(broadcast(buyer.id, None, "l")))
    assert await delivery.deliver(ids["sandbox"], {}) == "delivered"
    sent = recorders["sandbox"].sent[0]
    assert sent.url.endswith("/o/" + links.track_token(ids["sandbox"]))
    assert sent.unsubscribe_url.endswith("/u/" + links.unsubscribe_token(buyer.id, "sandbox", None))
    assert links.read_unsubscribe_token(sent.unsubscribe_url.rsplit("/", 1)[1]) == (
        buyer.id,
        "sandbox",
        None,
    )


async def test_the_tracked_link_records_the_first_click_and_stays_on_this_site(
    app, client, user_factory, recorders
):
    buyer = await user_factory("clicker")
    await opt_in(client, buyer)
    r = broadcast(buyer.id, None, "t")
    message = await say(r.__class__(**{**r.__dict__, "link": "/rooms/7?from=msg"}))
    evil = await say(r.__class__(**{**r.__dict__, "period": "evil", "link": "//evil.example/x"}))
    ids, evil_ids = await deliveries(message), await deliveries(evil)
    async with httpx.AsyncClient(base_url=str(client.base_url)) as stranger:
        first = await stranger.get(f"/o/{links.track_token(ids['sandbox'])}")
        assert first.status_code == 302 and first.headers["location"] == "/rooms/7?from=msg"
        async with db.connection() as conn:
            clicked = await conn.fetchval(
                "SELECT clicked_at FROM outreach_deliveries WHERE id = $1", ids["sandbox"]
            )
        await stranger.get(f"/o/{links.track_token(ids['sandbox'])}")
        async with db.connection() as conn:
            again = await conn.fetchval(
                "SELECT clicked_at FROM outreach_deliveries WHERE id = $1", ids["sandbox"]
            )
        assert clicked is not None and again == clicked  # the first click counts
        off_site = await stranger.get(f"/o/{links.track_token(evil_ids['sandbox'])}")
        assert off_site.status_code == 302 and off_site.headers["location"] == "/"
        forged = await stranger.get(f"/o/{links.track_token(ids['inbox'])[:-3]}xyz")
        assert forged.status_code == 302 and forged.headers["location"] == "/"
    async with db.connection() as conn:
        assert (
            await conn.fetchval(
                "SELECT clicked_at FROM outreach_deliveries WHERE id = $1", ids["inbox"]
            )
            is None
        )
    assert await statuses(buyer.id, "sandbox") == [("pending", ""), ("pending", "")]
