"""The sandbox gateway mints money for whoever may press its button, so: it exists only in dev
and test (or when SANDBOX_GATEWAY turns it on), only the payment's payer may pay on it, and
paying never makes the server send a request to wherever a Host header points."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec

from livecommerce.app import create_app
from livecommerce.domains.distribution import bindings as distribution_bindings
from livecommerce.domains.payments import providers
from livecommerce.domains.payments.providers import CallbackEvent, SandboxProvider, sandbox
from livecommerce.infra import db
from livecommerce.infra.embedded import free_port
from livecommerce.settings import DEV_SANDBOX_SECRET, Settings, load_settings
from tests.support import (
    LiveServer,
    TestUser,
    complete_on_sandbox,
    create_product,
    make_user,
    place_order,
    problem_code,
    public_at,
)


async def _top_up(client: httpx.AsyncClient, user: TestUser, amount: int = 3000) -> dict:
    started = await client.post(
        "/api/me/wallet/topup", json={"amount": amount}, headers=user.headers
    )
    assert started.status_code == 201, started.text
    return started.json()


async def _money_of(user_id: int) -> dict[str, Any]:
    """What paying may have changed: the user's payments, the gateway's charges, the postings."""
    async with db.connection() as conn:
        return {
            "payments": [
                (row["id"], row["status"], row["provider_ref"])
                for row in await conn.fetch(
                    "SELECT id, status, provider_ref FROM payments WHERE user_id = $1 ORDER BY id",
                    user_id,
                )
            ],
            "charges": await conn.fetchval("SELECT count(*) FROM sandbox_charges"),
            "postings": await conn.fetchval("SELECT count(*) FROM ledger_transactions"),
        }


def _signed(gateway: SandboxProvider, event: CallbackEvent) -> tuple[bytes, dict[str, str]]:
    body = msgspec.json.encode(event)
    return body, {"content-type": "application/json", gateway.header: gateway.sign(body)}


# --- who may pay ------------------------------------------------------------------------------


async def test_logged_out_the_page_sends_to_login_and_pressing_pay_is_401(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    top_up = await _top_up(client, buyer)
    before = await _money_of(buyer.id)

    page = await client.get(top_up["payUrl"])
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    # payUrl is absolute (under PUBLIC_URL); logging in comes back to the page's path.
    assert f'href="/login?next={urlsplit(top_up["payUrl"]).path}"' in page.text
    pressed = await client.post(top_up["payUrl"] + "/complete", json={})
    assert (pressed.status_code, problem_code(pressed)) == (401, "not_authenticated")
    assert await _money_of(buyer.id) == before  # still pending, nothing charged


async def test_another_users_payment_does_not_exist_for_them(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer, other = await user_factory("buyer"), await user_factory("other")
    admin = await user_factory("admin", ["admin"])
    top_up = await _top_up(client, buyer)
    before = await _money_of(buyer.id)

    for stranger in (other, admin):
        page = await client.get(top_up["payUrl"], headers=stranger.headers)
        pressed = await complete_on_sandbox(client, stranger, top_up["payUrl"])
        assert [(r.status_code, problem_code(r)) for r in (page, pressed)] == [
            (404, "payment_not_found")
        ] * 2
    assert await _money_of(buyer.id) == before
    assert (await client.get("/api/me/wallet", headers=buyer.headers)).json()["available"] == 0


async def test_the_payer_pays_on_the_page_with_the_login_cookie_and_a_json_body(
    live: LiveServer, client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    top_up = await _top_up(client, buyer, 2500)
    async with httpx.AsyncClient(
        base_url=live.url, cookies={"lc_token": buyer.token}, timeout=30
    ) as browser:
        page = await browser.get(top_up["payUrl"])
        assert page.status_code == 200 and "¥25.00" in page.text
        # Pages allow scripts from files only (CSP script-src 'self'): no inline script here.
        assert "<script>" not in page.text
        assert '<script type="module" src="/static/js/sandbox-pay.js"></script>' in page.text
        assert (await browser.get("/static/js/sandbox-pay.js")).status_code == 200
        # What the page's script sends: a same-origin fetch with a JSON body.
        pressed = await browser.post(
            top_up["payUrl"] + "/complete", json={}, headers={"Origin": live.url}
        )
    assert pressed.status_code == 200, pressed.text
    assert pressed.json() == {"paymentId": top_up["paymentId"], "result": "applied"}
    assert (await client.get("/api/me/wallet", headers=buyer.headers)).json()["available"] == 2500


async def test_paying_again_or_at_once_charges_and_credits_once(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    top_up = await _top_up(client, buyer, 1200)
    pressed = await asyncio.gather(
        *(complete_on_sandbox(client, buyer, top_up["payUrl"]) for _ in range(8))
    )
    assert sorted(r.json()["result"] for r in pressed) == ["applied"] + ["duplicate"] * 7
    again = await complete_on_sandbox(client, buyer, top_up["payUrl"])
    assert again.json()["result"] == "duplicate"
    money = await _money_of(buyer.id)
    assert (money["charges"], money["postings"]) == (1, 1)
    assert (await client.get("/api/me/wallet", headers=buyer.headers)).json()["available"] == 1200


# --- no request to where the Host header points -----------------------------------------------


@contextlib.asynccontextmanager
async def _receiver() -> AsyncIterator[tuple[int, list[bytes]]]:
    """A tiny HTTP server on 127.0.0.1 recording every request it gets; it answers with a marker
    that must never reach the client."""
    received: list[bytes] = []
    reply = b'{"result": "receiver-was-here"}'

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.append(await reader.read(65_536))
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            + f"content-length: {len(reply)}\r\nconnection: close\r\n\r\n".encode()
            + reply
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], received
    finally:
        server.close()
        await server.wait_closed()


async def test_paying_sends_nothing_to_the_host_the_request_names(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    top_up = await _top_up(client, buyer, 700)
    async with _receiver() as (port, received):
        pressed = await client.post(
            top_up["payUrl"] + "/complete",
            json={},
            headers={**buyer.headers, "Host": f"127.0.0.1:{port}"},
        )
        await asyncio.sleep(0.2)  # a request on its way would have landed by now
    assert received == []
    assert pressed.status_code == 200 and "receiver-was-here" not in pressed.text
    assert pressed.json()["result"] == "applied"


async def test_a_host_header_naming_a_closed_port_still_pays_once_and_is_no_500(
    client: httpx.AsyncClient, user_factory
) -> None:
    """The old gateway delivered its callback to the request's own Host: a connect error there
    was a 500 with the charge booked and the payment left pending."""
    buyer = await user_factory("buyer")
    top_up = await _top_up(client, buyer, 900)
    pressed = await client.post(
        top_up["payUrl"] + "/complete",
        json={},
        headers={**buyer.headers, "Host": f"127.0.0.1:{free_port()}"},
    )
    assert pressed.status_code == 200, pressed.text
    assert (await _money_of(buyer.id))["payments"][0][1] == "succeeded"
    assert (await client.get("/api/me/wallet", headers=buyer.headers)).json()["available"] == 900


# --- callbacks that can't be applied -----------------------------------------------------------


async def test_a_callback_reusing_another_payments_reference_is_409_and_changes_nothing(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    first, second = await _top_up(client, buyer, 1000), await _top_up(client, buyer, 4000)
    assert (await complete_on_sandbox(client, buyer, first["payUrl"])).status_code == 200
    before = await _money_of(buyer.id)
    taken = before["payments"][0][2]  # rows of (id, status, provider_ref)

    body, headers = _signed(
        sandbox(),
        CallbackEvent(
            payment_id=second["paymentId"], provider_ref=taken, amount=4000, status="succeeded"
        ),
    )
    reused = await client.post("/api/payments/callback", content=body, headers=headers)
    assert (reused.status_code, problem_code(reused)) == (409, "provider_ref_reused")
    assert await _money_of(buyer.id) == before  # the second payment untouched, nothing posted
    assert (await client.get("/api/me/wallet", headers=buyer.headers)).json()["available"] == 1000
    async with db.connection() as conn:
        outcome = await conn.fetchval("SELECT outcome FROM payment_events ORDER BY id DESC LIMIT 1")
    assert outcome == "provider_ref_reused"


async def test_two_payments_racing_for_one_fresh_reference_one_wins_the_other_is_409(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    payments = [await _top_up(client, buyer, 500), await _top_up(client, buyer, 500)]
    signed = [
        _signed(
            sandbox(),
            CallbackEvent(
                payment_id=p["paymentId"], provider_ref="sbx_same", amount=500, status="succeeded"
            ),
        )
        for p in payments
    ]
    answers = await asyncio.gather(
        *(
            client.post("/api/payments/callback", content=body, headers=headers)
            for body, headers in signed
        )
    )
    assert sorted(r.status_code for r in answers) == [200, 409]
    money = await _money_of(buyer.id)
    assert sorted(status for _, status, _ in money["payments"]) == [
        "pending",
        "succeeded",
    ]
    assert money["postings"] == 1


async def test_a_callback_whose_values_cant_be_stored_is_a_400_not_a_500(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    top_up = await _top_up(client, buyer, 500)
    before = await _money_of(buyer.id)
    refused = []
    for event in (
        {"paymentId": top_up["paymentId"], "providerRef": "r" * 65},  # payments.provider_ref(64)
        {"paymentId": top_up["paymentId"], "providerRef": ""},
        {"paymentId": 2**40, "providerRef": "sbx_big"},  # past payments.id (int4)
    ):
        body = msgspec.json.encode({**event, "amount": 500, "status": "succeeded"})
        headers = {"content-type": "application/json", "x-sandbox-signature": sandbox().sign(body)}
        refused.append(await client.post("/api/payments/callback", content=body, headers=headers))
    assert [(r.status_code, problem_code(r)) for r in refused] == [(400, "validation_error")] * 3
    assert await _money_of(buyer.id) == before


async def test_a_top_up_provider_longer_than_its_column_is_refused_by_the_schema(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    refused = await client.post(
        "/api/me/wallet/topup", json={"amount": 500, "provider": "p" * 17}, headers=buyer.headers
    )
    assert (refused.status_code, problem_code(refused)) == (400, "validation_error")
    assert [e["field"] for e in refused.json()["errors"]] == ["provider"]
    assert (await _money_of(buyer.id))["payments"] == []


# --- production -------------------------------------------------------------------------------


def _production(migrated: Settings, **extra: str) -> Settings:
    return load_settings(
        {
            "ENV": "prod",
            "SECRET_KEY": "prod-secret-key-of-the-test-0123456789abcdef",
            "SANDBOX_GATEWAY_SECRET": "prod-sandbox-secret-0123456789",
            "DATABASE_URL": migrated.database_url or "",
            "REDIS_URL": migrated.redis_url or "",
            "VAR_DIR": tempfile.mkdtemp(prefix="lc-prod-"),
            "LOG_LEVEL": "warning",
            **extra,
        },
        dotenv=Path("/nonexistent"),
    )


@contextlib.asynccontextmanager
async def _serving(settings: Settings, migrated: Settings) -> AsyncIterator[LiveServer]:
    server = LiveServer(lambda url: create_app(public_at(settings, url)))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
        # The pool, the providers and the referral key are per process: stopping this app closed
        # the pool, and its start-up switched the sandbox off. Give the session's app its own.
        await db.start_pool(migrated)
        providers.configure(migrated)
        distribution_bindings.configure(migrated.secret_key)


async def test_in_production_the_sandbox_gateway_is_not_there(
    client: httpx.AsyncClient, user_factory, migrated: Settings, live: LiveServer
) -> None:
    """ENV=prod with private secrets and SANDBOX_GATEWAY unset, on the same databases."""
    buyer = await user_factory("buyer")
    # A sandbox payment from before (made on the test app): production must not pay it.
    waiting = await _top_up(client, buyer, 5000)
    async with (
        _serving(_production(migrated), migrated) as production,
        httpx.AsyncClient(base_url=production.url, timeout=30) as prod,
    ):
        prod_buyer = await make_user(production.app, "prodbuyer")
        prod_host = await make_user(production.app, "prodhost", ["host"])
        # The test app's page for it, asked of the production server.
        pay_url = urlsplit(waiting["payUrl"]).path
        routes = [
            await prod.get(pay_url),
            await prod.get(pay_url, headers=prod_buyer.headers),
            await prod.post(pay_url + "/complete", json={}),
            await prod.post(pay_url + "/complete", json={}, headers=prod_buyer.headers),
        ]
        assert [r.status_code for r in routes] == [404] * 4

        top_ups = [
            await prod.post("/api/me/wallet/topup", json=body, headers=prod_buyer.headers)
            for body in ({"amount": 500}, {"amount": 500, "provider": "sandbox"})
        ]
        sku_id = (await create_product(prod, prod_host, price=800))["skus"][0]["id"]
        order = (await place_order(prod, prod_buyer, sku_id)).json()
        pay = await prod.post(
            f"/api/orders/{order['id']}/pay", json={"method": "gateway"}, headers=prod_buyer.headers
        )
        assert [(r.status_code, problem_code(r)) for r in (*top_ups, pay)] == [
            (400, "provider_unavailable")
        ] * 3

        # A callback signed with the printed default secret (or any other) is refused too.
        body, headers = _signed(
            SandboxProvider(DEV_SANDBOX_SECRET),
            CallbackEvent(
                payment_id=waiting["paymentId"],
                provider_ref="sbx_x",
                amount=5000,
                status="succeeded",
            ),
        )
        forged = await prod.post(
            "/api/payments/callback", content=body, headers=headers, params={"provider": "sandbox"}
        )
        assert (forged.status_code, problem_code(forged)) == (400, "provider_unavailable")
        order_after = await prod.get(f"/api/orders/{order['id']}", headers=prod_buyer.headers)
        assert order_after.json()["status"] == "pending_payment"
    assert (await _money_of(prod_buyer.id))["payments"] == []
    money = await _money_of(buyer.id)
    assert (money["payments"], money["charges"], money["postings"]) == (
        [(waiting["paymentId"], "pending", None)],
        0,
        0,
    )


async def test_sandbox_gateway_1_turns_it_on_in_production_for_the_payer_only(
    client: httpx.AsyncClient, migrated: Settings, live: LiveServer
) -> None:
    settings = _production(migrated, SANDBOX_GATEWAY="1")
    async with (
        _serving(settings, migrated) as server,
        httpx.AsyncClient(base_url=server.url, timeout=30) as prod,
    ):
        buyer = await make_user(server.app, "buyer")
        other = await make_user(server.app, "other")
        top_up = await _top_up(prod, buyer, 600)
        assert (await prod.get(top_up["payUrl"])).status_code == 401
        assert (await complete_on_sandbox(prod, other, top_up["payUrl"])).status_code == 404
        pressed = await complete_on_sandbox(prod, buyer, top_up["payUrl"])
        assert pressed.json()["result"] == "applied", pressed.text
        wallet = await prod.get("/api/me/wallet", headers=buyer.headers)
        assert wallet.json()["available"] == 600
