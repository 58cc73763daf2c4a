"""IM bots and SMS through apprise: a host's URLs are checked by apprise and answered masked;
the 'webhook' channel reaches the host's bot and 'sms' the buyer's phone through the host's
gateway template, both at a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest

from livecommerce.domains.outreach.channels import Outgoing, SendResult
from livecommerce.domains.outreach.sealed_urls import unseal
from livecommerce.domains.outreach.webhook_channel import SmsChannel, WebhookChannel, check_url
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError
from tests.outreach.push_receiver import HttpReceiver
from tests.support import TestUser, add_address

TRACKED = "http://127.0.0.1:9/o/bot-tok"
UNSUBSCRIBE = "http://127.0.0.1:9/u/bot-unsub"
ROUTE = "/api/host/outreach-channels"


def outgoing(user_id: int, host_id: int | None, channel: str) -> Outgoing:
    return Outgoing(
        delivery_id=3,
        user_id=user_id,
        host_id=host_id,
        channel=channel,
        title="新订单提醒",
        body="春季新品直播间开播了",
        url=TRACKED,
        unsubscribe_url=UNSUBSCRIBE,
        lang="zh-CN",
    )


async def save(client: httpx.AsyncClient, host: TestUser, body: dict) -> httpx.Response:
    return await client.put(ROUTE, json=body, headers=host.headers)


async def test_the_hosts_bot_gets_the_notice_and_its_secrets_never_come_back(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("bothost", ["host"])
    with HttpReceiver() as bot:
        secret_url = f"json://bot:pw-s3cret@127.0.0.1:{bot.port}/hook?+X-Token=tok-s3cret"
        response = await save(client, host, {"bots": [{"label": "运营群", "url": secret_url}]})
        assert response.status_code == 200, response.text
        answer = response.json()
        assert "s3cret" not in response.text
        [saved] = answer["bots"]
        assert saved["label"] == "运营群" and saved["service"] == "JSON"
        assert saved["url"] == f"json://bot:****@127.0.0.1:{bot.port}/…"
        assert "s3cret" not in (await client.get(ROUTE, headers=host.headers)).text
        result = await WebhookChannel().send(outgoing(host.id, host.id, "webhook"))
    assert result == SendResult(delivered=True)
    [request] = bot.received
    assert request.path == "/hook" and request.headers["x-token"] == "tok-s3cret"
    body = json.loads(request.body)
    assert body["title"] == "新订单提醒"
    assert body["message"] == f"春季新品直播间开播了\n{TRACKED}"


async def test_sms_goes_to_the_buyers_phone_through_the_gateway_template(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("smshost", ["host"])
    buyer = await user_factory("smsbuyer")
    await add_address(client, buyer, phone="13912345678")
    with HttpReceiver() as gateway:
        template = f"form://127.0.0.1:{gateway.port}/sms/send?:to={{phone}}&-sign=LC"
        response = await save(client, host, {"sms": {"label": "短信网关", "url": template}})
        assert response.status_code == 200, response.text
        assert response.json()["sms"]["service"] == "Form"
        result = await SmsChannel().send(outgoing(buyer.id, host.id, "sms"))
        nobody = await user_factory("smsnophone")
        no_phone = await SmsChannel().send(outgoing(nobody.id, host.id, "sms"))
    assert result == SendResult(delivered=True)
    assert no_phone == SendResult(delivered=False, error="no phone number")
    [request] = gateway.received
    assert request.path == "/sms/send?sign=LC"
    form = parse_qs(request.body.decode())
    assert form["to"] == ["13912345678"]
    assert TRACKED in form["message"][0] and f"退订: {UNSUBSCRIBE}" in form["message"][0]


async def test_a_bot_that_refuses_or_no_bot_is_not_delivered(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("refusedhost", ["host"])
    bare = await user_factory("barehost", ["host"])
    with HttpReceiver(statuses={"/down": 500}) as bot:
        url = f"json://127.0.0.1:{bot.port}/down"
        assert (await save(client, host, {"bots": [{"url": url}]})).status_code == 200
        refused = await WebhookChannel().send(outgoing(host.id, host.id, "webhook"))
    assert not refused.delivered and len(bot.received) == 1
    assert await WebhookChannel().send(outgoing(bare.id, bare.id, "webhook")) == SendResult(
        delivered=False, error="the host has no bots"
    )
    assert (await SmsChannel().send(outgoing(bare.id, bare.id, "sms"))).error == (
        "the host has no SMS gateway"
    )


async def test_saving_keeps_named_secrets_and_checks_every_url(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("keephost", ["host"])
    rival = await user_factory("rivalhost", ["host"])
    first = await save(
        client,
        host,
        {
            "bots": [
                {"label": "企业微信", "url": "wecombot://0123456789abcdef"},
                {"label": "钉钉", "url": "dingtalk://SECsecret42@abcdefghijklmnopqrstuvwxyz/"},
                {"label": "飞书", "url": "feishu://abcdefghijklmnop"},
            ]
        },
    )
    assert first.status_code == 200, first.text
    bots = first.json()["bots"]
    assert [b["service"] for b in bots] == ["WeCom Bot", "DingTalk", "Feishu"]
    assert "0123456789abcdef" not in first.text and "SECsecret42" not in first.text
    # Keep the WeCom bot (renamed) without re-typing its key, drop the others, add one.
    kept = await save(
        client,
        host,
        {"bots": [{"label": "群 1", "keep": bots[0]["id"]}, {"url": "feishu://zyxwvutsrqp"}]},
    )
    assert kept.status_code == 200, kept.text
    first_kept = kept.json()["bots"][0]
    assert (first_kept["id"], first_kept["label"]) == (bots[0]["id"], "群 1")
    async with db.connection() as conn:
        urls = await conn.fetch(
            "SELECT url FROM outreach_host_channels WHERE host_id = $1 ORDER BY id", host.id
        )
    assert [unseal(r["url"]) for r in urls] == [
        "wecombot://0123456789abcdef",
        "feishu://zyxwvutsrqp",
    ]
    # Another host's saved id is not mine to keep.
    rivals = await save(client, rival, {"bots": [{"url": "feishu://rivalrivalrival"}]})
    rival_id = rivals.json()["bots"][0]["id"]
    stolen = await save(client, host, {"bots": [{"keep": rival_id}]})
    assert stolen.status_code == 404
    bad_bodies = [
        {"bots": [{"url": "windows://"}]},  # a desktop plugin: not a service hosts may name
        {"bots": [{"url": "mailto://user:pw@example.com"}]},
        {"bots": [{"url": "wecombot://"}]},  # apprise can't use it
        {"bots": [{"url": "json://127.0.0.1/{phone}"}]},  # slots are for the SMS gateway
        {"bots": [{"url": "feishu://abcdefghijk", "keep": bots[0]["id"]}]},
        {"bots": [{"label": "neither"}]},
        {"sms": {"url": "json://127.0.0.1:9/sms"}},  # no {phone}
    ]
    for body in bad_bodies:
        response = await save(client, host, body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["code"] == "channel_url_invalid"
    too_many = await save(client, host, {"bots": [{"url": "feishu://abcdefghijk"}] * 11})
    assert too_many.status_code in (400, 422)
    viewer = await user_factory("notahost")
    assert (await client.get(ROUTE, headers=viewer.headers)).status_code == 403
    # Nothing above changed what was saved.
    after = (await client.get(ROUTE, headers=host.headers)).json()
    assert [b["label"] for b in after["bots"]] == ["群 1", ""]


@pytest.mark.parametrize(
    "url",
    [
        "json://127.0.0.1:8080/hook",
        "jsons://10.0.0.5/hook",
        "form://localhost/hook",
        "xml://[::1]/hook",
        "json://169.254.169.254/latest/meta-data",
    ],
)
def test_production_refuses_webhooks_into_its_own_network(url: str) -> None:
    assert check_url(url, "webhook", "test").url == url
    with pytest.raises(DomainError):
        check_url(url, "webhook", "prod")


def test_production_takes_public_webhooks() -> None:
    url = "jsons://hooks.example.com/notify?+Authorization=Bearer%20x"
    checked = check_url(url, "webhook", "prod")
    assert checked.masked == "jsons://hooks.example.com/…"


async def test_in_production_a_webhook_whose_name_resolves_inside_is_never_called(
    client: httpx.AsyncClient, user_factory
) -> None:
    """A saved URL may name a host that later resolves to loopback (or that the save-time check,
    which sees names, not addresses, let through): at send time the name is resolved and a
    private answer refused. `localhost` stands for such a name (a row written as a save in
    dev would)."""
    host = await user_factory("insidehost", ["host"])
    buyer = await user_factory("insidebuyer")
    await add_address(client, buyer, phone="13912345678")
    with HttpReceiver() as inside:
        async with db.connection() as conn:
            await conn.execute(
                "INSERT INTO outreach_host_channels (host_id, kind, label, url)"
                " VALUES ($1, 'webhook', '', $2), ($1, 'sms', '', $3)",
                host.id,
                f"json://localhost:{inside.port}/hook",
                f"json://localhost:{inside.port}/sms?to={{phone}}",
            )
        bot = await WebhookChannel(refuse_private=True).send(outgoing(host.id, host.id, "webhook"))
        sms = await SmsChannel(refuse_private=True).send(outgoing(buyer.id, host.id, "sms"))
        assert inside.received == []
        # The same rows in dev reach the receiver: the refusal above is the guard, not a typo.
        assert (await WebhookChannel().send(outgoing(host.id, host.id, "webhook"))).delivered
    assert bot == SendResult(delivered=False, error="every bot resolves to a private address")
    assert sms == SendResult(delivered=False, error="the SMS gateway resolves to a private address")
    assert len(inside.received) == 1


async def test_a_saved_url_is_sealed_at_rest_and_a_tampered_one_is_never_called(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("sealhost", ["host"])
    with HttpReceiver() as bot:
        url = f"json://127.0.0.1:{bot.port}/hook?+X-Token=tok-at-rest"
        assert (
            await save(client, host, {"bots": [{"label": "群", "url": url}]})
        ).status_code == 200
        async with db.connection() as conn:
            stored = await conn.fetchval(
                "SELECT url FROM outreach_host_channels WHERE host_id = $1", host.id
            )
        # A copy of the database shows neither the token nor where the bot is.
        assert stored.startswith("sealed:") and "tok-at-rest" not in stored
        assert str(bot.port) not in stored
        assert (await WebhookChannel().send(outgoing(host.id, host.id, "webhook"))).delivered
        tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
        async with db.connection() as conn:
            await conn.execute(
                "UPDATE outreach_host_channels SET url = $2 WHERE host_id = $1", host.id, tampered
            )
        unread = await WebhookChannel().send(outgoing(host.id, host.id, "webhook"))
        shown = (await client.get(ROUTE, headers=host.headers)).json()
    assert unread == SendResult(delivered=False, error="the host has no bots")
    assert len(bot.received) == 1
    assert shown["bots"][0]["url"] == "(unreadable)"
