"""Web Push end to end against a local push service: the payload decrypts per RFC 8291 with
the browser's private key, the VAPID JWT is signed by the key the site serves, and a
subscription the push service says is gone (404/410) is deleted."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from livecommerce.domains.outreach import vapid
from livecommerce.domains.outreach.channels import Outgoing, SendResult
from livecommerce.domains.outreach.webpush import WebPushChannel
from livecommerce.infra import db
from livecommerce.settings import Settings
from tests.outreach.push_receiver import BrowserKeys, HttpReceiver, vapid_claims
from tests.support import TestUser

TRACKED = "http://127.0.0.1:9/o/push-tok"
UNSUBSCRIBE = "http://127.0.0.1:9/u/push-unsub"


def outgoing(user_id: int, delivery_id: int = 7) -> Outgoing:
    return Outgoing(
        delivery_id=delivery_id,
        user_id=user_id,
        host_id=None,
        channel="webpush",
        title="开播啦",
        body="你预约的「春季新品」开始直播了",
        url=TRACKED,
        unsubscribe_url=UNSUBSCRIBE,
        lang="zh-CN",
    )


async def subscribe(
    client: httpx.AsyncClient, user: TestUser, endpoint: str, keys: BrowserKeys
) -> httpx.Response:
    return await client.post(
        "/api/me/push-subscriptions", json=keys.subscription(endpoint), headers=user.headers
    )


async def subscription_count(user_id: int) -> int:
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM outreach_push_subscriptions WHERE user_id = $1", user_id
            )
        )


async def test_a_push_decrypts_with_the_browsers_key_and_is_signed_by_the_served_key(
    client: httpx.AsyncClient, user_factory, migrated: Settings
) -> None:
    buyer = await user_factory("pushbuyer")
    keys = BrowserKeys.make()
    served = (await client.get("/api/push/vapid-public-key")).json()["publicKey"]
    with HttpReceiver() as push_service:
        endpoint = f"{push_service.url}/push/sub-1"
        response = await subscribe(client, buyer, endpoint, keys)
        assert response.status_code == 201, response.text
        assert response.json()["service"] == push_service.url  # the endpoint itself stays ours
        result = await WebPushChannel(migrated, ttl=600).send(outgoing(buyer.id))
    assert result == SendResult(delivered=True)
    [request] = push_service.received
    assert request.method == "POST" and request.path == "/push/sub-1"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["ttl"] == "600"
    payload = json.loads(keys.decrypt(request.body))
    assert payload == {
        "title": "开播啦",
        "body": "你预约的「春季新品」开始直播了",
        "url": TRACKED,
        "unsubscribeUrl": UNSUBSCRIBE,
        "tag": "lc-7",
        "lang": "zh-CN",
    }
    claims = vapid_claims(request.headers["authorization"], served)
    assert claims["aud"] == push_service.url
    assert claims["exp"] > time.time()
    assert claims["sub"].startswith("mailto:")
    # Someone else's browser key can't read it: the encryption is to this subscription.
    with pytest.raises(Exception, match="Decryption error"):
        BrowserKeys(keys.private_key, b"\x00" * 16).decrypt(request.body)


@pytest.mark.parametrize("gone", [404, 410])
async def test_a_subscription_the_push_service_says_is_gone_is_deleted(
    client: httpx.AsyncClient, user_factory, migrated: Settings, gone: int
) -> None:
    buyer = await user_factory(f"gone{gone}")
    with HttpReceiver(statuses={"/push/dead": gone, "/push/busy": 503}) as push_service:
        for name in ("dead", "busy"):
            response = await subscribe(
                client, buyer, f"{push_service.url}/push/{name}", BrowserKeys.make()
            )
            assert response.status_code == 201, response.text
        result = await WebPushChannel(migrated).send(outgoing(buyer.id))
        assert not result.delivered
        assert sorted(r.path for r in push_service.received) == ["/push/busy", "/push/dead"]
        mine = (await client.get("/api/me/push-subscriptions", headers=buyer.headers)).json()
        # The gone one is deleted; the one whose push service was only busy is kept.
        assert [s["service"] for s in mine["items"]] == [push_service.url]
        assert await subscription_count(buyer.id) == 1
        again = await WebPushChannel(migrated).send(outgoing(buyer.id, delivery_id=8))
    assert not again.delivered and "503" in again.error
    assert [r.path for r in push_service.received].count("/push/dead") == 1


async def test_no_subscription_is_not_delivered(user_factory, migrated: Settings) -> None:
    buyer = await user_factory("nosub")
    result = await WebPushChannel(migrated).send(outgoing(buyer.id))
    assert result == SendResult(delivered=False, error="no push subscription")


async def test_many_processes_make_one_key_pair(migrated: Settings, client) -> None:
    """Twenty first starts at once: one row, and every one of them holds its keys."""
    pool = db.engine().pool
    assert pool is not None

    async def first_start() -> vapid.VapidKeys:
        async with pool.acquire() as conn:
            return await vapid.load(conn)

    pairs = await asyncio.gather(*(first_start() for _ in range(20)))
    assert len(set(pairs)) == 1
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outreach_keys") == 1
    served = (await client.get("/api/push/vapid-public-key")).json()["publicKey"]
    assert served == pairs[0].public_key
    assert vapid.b64url_decode(served)[0] == 4 and len(vapid.b64url_decode(served)) == 65


async def test_subscriptions_are_checked_capped_and_owned(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer, other = await user_factory("subowner"), await user_factory("subother")
    keys = BrowserKeys.make()
    bad = {
        "http://push.example.com/x": "https only",
        "https://user:pw@push.example.com/x": "no credentials in it",
        "ftp://push.example.com/x": "not a web URL",
        "http://127.0.0.2:8/x": "only 127.0.0.1 over http, and only in dev/test",
    }
    for endpoint in bad:
        response = await subscribe(client, buyer, endpoint, keys)
        assert response.status_code == 422, (endpoint, response.text)
        assert response.json()["code"] == "push_subscription_invalid"
    not_a_point = keys.subscription("http://127.0.0.1:9/x")
    point = bytearray(vapid.b64url_decode(keys.p256dh))
    point[-1] ^= 1  # y no longer fits x: off the curve
    not_a_point["keys"]["p256dh"] = vapid.b64url(bytes(point))
    short_auth = keys.subscription("http://127.0.0.1:9/x")
    short_auth["keys"]["auth"] = short_auth["keys"]["auth"][:-4] + "AAAAAAAA"
    not_base64 = keys.subscription("http://127.0.0.1:9/x")
    not_base64["keys"]["p256dh"] = "!" + not_base64["keys"]["p256dh"][1:]
    for body in (not_a_point, short_auth, not_base64):
        response = await client.post("/api/me/push-subscriptions", json=body, headers=buyer.headers)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "push_subscription_invalid"
    # Twelve browsers: the newest ten are kept, however many arrive at once.
    results = await asyncio.gather(
        *(
            subscribe(client, buyer, f"http://127.0.0.1:9/push/{i}", BrowserKeys.make())
            for i in range(12)
        )
    )
    assert all(r.status_code == 201 for r in results)
    assert await subscription_count(buyer.id) == 10
    # Another user can't remove mine (404), I can (204), and twice is 404.
    endpoint = "http://127.0.0.1:9/push/mine"
    assert (await subscribe(client, buyer, endpoint, keys)).status_code == 201
    params = {"endpoint": endpoint}
    gone = await client.delete("/api/me/push-subscriptions", params=params, headers=other.headers)
    assert gone.status_code == 404
    ok = await client.delete("/api/me/push-subscriptions", params=params, headers=buyer.headers)
    assert ok.status_code == 204
    again = await client.delete("/api/me/push-subscriptions", params=params, headers=buyer.headers)
    assert again.status_code == 404
    # The same browser subscribing under another login moves to that user.
    assert (await subscribe(client, other, "http://127.0.0.1:9/push/0", keys)).status_code == 201
    assert await subscription_count(other.id) == 1
    anonymous = await client.post("/api/me/push-subscriptions", json=keys.subscription(endpoint))
    assert anonymous.status_code == 401


def test_production_takes_only_public_https_endpoints() -> None:
    from livecommerce.domains.outreach.webpush import check_endpoint
    from livecommerce.infra.errors import DomainError

    assert check_endpoint("https://fcm.googleapis.com/fcm/send/abc", "prod")
    for endpoint in (
        "http://127.0.0.1:9/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest",
        "https://localhost/x",
    ):
        with pytest.raises(DomainError):
            check_endpoint(endpoint, "prod")


async def test_the_service_worker_is_served_for_the_whole_site(client: httpx.AsyncClient) -> None:
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["service-worker-allowed"] == "/"
    assert "showNotification" in response.text and "openWindow" in response.text
