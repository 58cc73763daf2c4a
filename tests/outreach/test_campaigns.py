"""A host's one-off message to a segment: every member of the segment gets it once however often
(and however concurrently) its job runs; the preview counts exactly whom consent and the caps
let it through to; the input is validated with problem details; another host's campaign,
segment, room or product is 404; a stalled campaign is taken over by the sweeper."""

from __future__ import annotations

import asyncio

from livecommerce.domains.outreach import campaign_jobs, config
from livecommerce.infra import db
from tests.outreach.campaign_support import (
    campaign_body,
    create_campaign,
    deliver_campaign,
    shop_with_members,
)
from tests.outreach.support import broadcast, deliveries, opt_in, recorders, say
from tests.support import create_product, problem_code

__all__ = ["recorders"]  # the fixture

URL = "/api/host/outreach/campaigns"


async def test_each_member_gets_the_campaign_once_however_often_its_job_runs(client, user_factory):
    shop = await shop_with_members(client, user_factory, "tea", 7)
    outsider = await user_factory("not_a_member")
    made = await create_campaign(client, shop)
    assert (made["status"], made["audience"], made["reached"]) == ("queued", 7, 0)
    assert made["link"] == f"/rooms/{shop.room_id}"

    # Three runs at once (a retry racing the sweeper), 2 members a chunk, then a late one.
    runs = await asyncio.gather(*(campaign_jobs.send(made["id"], chunk=2) for _ in range(3)))
    assert sum(runs) == 7
    assert await campaign_jobs.send(made["id"]) == 0

    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT user_id, journey, period, link, context->>'title' AS title"
            " FROM outreach_messages WHERE campaign_id = $1 ORDER BY user_id",
            made["id"],
        )
    assert [r["user_id"] for r in rows] == sorted(m.id for m in shop.members)
    assert outsider.id not in {r["user_id"] for r in rows}
    assert {(r["journey"], r["period"], r["link"], r["title"]) for r in rows} == {
        ("broadcast", f"campaign:{made['id']}", f"/rooms/{shop.room_id}", "今晚八点上新")
    }
    shown = await client.get(f"{URL}/{made['id']}", headers=shop.host.headers)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert (body["status"], body["audience"], body["reached"]) == ("sent", 7, 7)
    assert body["results"]["messages"] == 7 and body["finishedAt"]
    listed = await client.get(URL, headers=shop.host.headers)
    assert [c["id"] for c in listed.json()["items"]] == [made["id"]]


async def test_the_preview_counts_whom_consent_and_caps_let_through_and_sending_agrees(
    client, user_factory, recorders
):
    shop = await shop_with_members(client, user_factory, "pv", 4)
    _plain, opted, capped, muted = shop.members
    for m in shop.members:
        await opt_in(client, m, *(["email"] if m in (opted, capped) else []))
    # `capped` got an e-mail from this host an hour's cap ago: the next one is held back.
    earlier = await say(broadcast(capped.id, shop.host.id, "earlier"))
    from livecommerce.domains.outreach import delivery

    assert await delivery.deliver((await deliveries(earlier))["email"], {}) == "delivered"
    # `muted` followed an unsubscribe link of this host's inbox messages.
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO outreach_consents (user_id, channel, host_id, muted)"
            " VALUES ($1, 'inbox', $2, true)",
            muted.id,
            shop.host.id,
        )

    seen = await client.post(
        f"{URL}/preview", json={"segmentId": shop.segment_id}, headers=shop.host.headers
    )
    assert seen.status_code == 200, seen.text
    preview = seen.json()
    assert preview["members"] == 4
    # The sandbox reaches nobody; the other channels (registered, nobody opted in) none.
    reached = {c: n for c, n in preview["channels"].items() if n}
    assert reached == {"inbox": 3, "email": 1} and "sandbox" not in preview["channels"]
    assert preview["reachable"] == 3 and preview["hostDailyLeft"] is None

    # The host's daily cap: one message sent today (the earlier one), two allowed.
    before = config.use(host_daily_cap=2)
    try:
        capped_view = await client.post(
            f"{URL}/preview", json={"segmentId": shop.segment_id}, headers=shop.host.headers
        )
        assert (capped_view.json()["reachable"], capped_view.json()["hostDailyLeft"]) == (1, 1)
    finally:
        config.use(before)

    made = await create_campaign(client, shop)
    outcomes = await deliver_campaign(made["id"])
    assert outcomes
    async with db.connection() as conn:
        through = await conn.fetch(
            "SELECT d.channel, d.user_id FROM outreach_deliveries d"
            " JOIN outreach_messages m ON m.id = d.message_id WHERE m.campaign_id = $1"
            " AND d.status IN ('sent', 'delivered') AND d.channel <> 'sandbox'",
            made["id"],
        )
        skipped = await conn.fetchval(
            "SELECT skip_reason FROM outreach_deliveries d JOIN outreach_messages m"
            " ON m.id = d.message_id WHERE m.campaign_id = $1 AND d.user_id = $2"
            " AND d.channel = 'email'",
            made["id"],
            capped.id,
        )
    per_channel: dict[str, set[int]] = {}
    for r in through:
        per_channel.setdefault(r["channel"], set()).add(r["user_id"])
    assert {c: len(u) for c, u in per_channel.items()} == reached
    assert len({r["user_id"] for r in through}) == preview["reachable"]
    assert per_channel["email"] == {opted.id} and skipped == "cap"


async def test_bad_input_is_a_problem_and_other_hosts_things_are_404(client, user_factory):
    shop = await shop_with_members(client, user_factory, "own", 1)
    other = await shop_with_members(client, user_factory, "other", 1)
    theirs = await create_product(client, other.host, title="their tea")
    shelved = await create_product(client, shop.host, title="old tea", on_shelf=False)
    cases = [
        ({"title": "长" * 41}, 400, "validation_error"),
        ({"title": "   "}, 400, "validation_error"),
        ({"body": "b" * 301}, 400, "validation_error"),
        ({"body": ""}, 400, "validation_error"),
        ({"linkKind": "shop"}, 400, "validation_error"),
        ({"linkId": 0}, 400, "validation_error"),
        ({"segmentId": 2**40}, 400, "validation_error"),
        ({"hostId": other.host.id}, 400, "validation_error"),  # unknown fields are refused
        ({"segmentId": other.segment_id}, 404, "not_found"),
        ({"linkId": other.room_id}, 404, "not_found"),
        ({"linkKind": "product", "linkId": theirs["id"]}, 404, "not_found"),
        ({"linkKind": "product", "linkId": shelved["id"]}, 409, "product_unavailable"),
    ]
    for changes, status, code in cases:
        response = await client.post(
            URL, json=campaign_body(shop, **changes), headers=shop.host.headers
        )
        assert response.status_code == status, (changes, response.text)
        assert problem_code(response) == code, changes
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outreach_campaigns") == 0

    product = await create_product(client, shop.host)
    mine = await create_campaign(client, shop, linkKind="product", linkId=product["id"])
    assert mine["link"].startswith("/products/")
    for path in (f"{URL}/{mine['id']}",):
        assert (await client.get(path, headers=other.host.headers)).status_code == 404
    assert (await client.get(URL, headers=other.host.headers)).json()["items"] == []
    preview = await client.post(
        f"{URL}/preview", json={"segmentId": shop.segment_id}, headers=other.host.headers
    )
    assert preview.status_code == 404
    viewer = await user_factory("just_a_viewer")
    assert (await client.get(URL, headers=viewer.headers)).status_code == 403
    assert (await client.get(URL)).status_code == 401


async def test_the_hosts_staff_send_and_read_its_campaigns(client, user_factory):
    shop = await shop_with_members(client, user_factory, "desk", 2)
    added = await client.post(
        "/api/host/staff",
        json={"username": "desk-aide", "password": "aide-password-1"},
        headers=shop.host.headers,
    )
    assert added.status_code == 201, added.text
    login = await client.post(
        "/api/auth/login", json={"username": "desk-aide", "password": "aide-password-1"}
    )
    client.cookies.clear()
    aide = {"Authorization": f"Bearer {login.json()['token']}"}
    made = await client.post(URL, json=campaign_body(shop), headers=aide)
    assert made.status_code == 201, made.text
    listed = await client.get(URL, headers=shop.host.headers)
    assert [c["id"] for c in listed.json()["items"]] == [made.json()["id"]]
    assert (await client.get(f"{URL}/{made.json()['id']}", headers=aide)).status_code == 200


async def test_the_sweeper_takes_over_a_stalled_campaign_and_a_deleted_segment_ends_one(
    client, user_factory
):
    shop = await shop_with_members(client, user_factory, "sw", 3)
    stalled = await create_campaign(client, shop)
    fresh = await create_campaign(client, shop, title="第二条")
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE outreach_campaigns SET updated_at = now() - interval '10 minutes'"
            " WHERE id = $1",
            stalled["id"],
        )
    assert await campaign_jobs.sweep_campaigns({}) == 3  # the stalled one only
    async with db.connection() as conn:
        status = dict(await conn.fetch("SELECT id, status FROM outreach_campaigns"))
    assert status == {stalled["id"]: "sent", fresh["id"]: "queued"}

    gone = await client.delete(f"/api/host/segments/{shop.segment_id}", headers=shop.host.headers)
    assert gone.status_code == 204
    assert await campaign_jobs.send(fresh["id"]) == 0
    shown = (await client.get(f"{URL}/{fresh['id']}", headers=shop.host.headers)).json()
    assert (shown["status"], shown["segmentId"], shown["audience"]) == ("sent", None, 0)
