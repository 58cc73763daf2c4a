"""payUrl is a URL a client opens as it is (an app, a message, a QR code): absolute, under the
configured PUBLIC_URL as share links are, never spelled from the request's Host header."""

from __future__ import annotations

import httpx

from tests.support import (
    LiveServer,
    complete_on_sandbox,
    create_product,
    place_order,
)


async def test_pay_urls_are_absolute_under_public_url_whatever_host_the_request_names(
    live: LiveServer, client: httpx.AsyncClient, user_factory
) -> None:
    public_url = live.app.state.settings.public_url
    assert public_url == live.url  # the live fixture serves the app at its PUBLIC_URL
    host, buyer = await user_factory("host", ["host"]), await user_factory("buyer")
    elsewhere = {**buyer.headers, "Host": "shop.elsewhere.test"}

    top_up = await client.post("/api/me/wallet/topup", json={"amount": 800}, headers=elsewhere)
    assert top_up.status_code == 201, top_up.text
    assert top_up.json()["payUrl"] == f"{public_url}/sandbox/pay/{top_up.json()['paymentId']}"

    sku_id = (await create_product(client, host, price=800))["skus"][0]["id"]
    order = (await place_order(client, buyer, sku_id)).json()
    paying = await client.post(
        f"/api/orders/{order['id']}/pay", json={"method": "gateway"}, headers=elsewhere
    )
    assert paying.status_code == 200, paying.text
    pay_url = paying.json()["payUrl"]
    assert pay_url == f"{public_url}/sandbox/pay/{paying.json()['paymentId']}"

    # Opened as it is, it is the gateway's page that pays the order.
    async with httpx.AsyncClient(timeout=30) as anywhere:
        page = await anywhere.get(pay_url, headers=buyer.headers)
        assert page.status_code == 200 and "¥8.00" in page.text
        assert (await complete_on_sandbox(anywhere, buyer, pay_url)).json()["result"] == "applied"
    paid = await client.get(f"/api/orders/{order['id']}", headers=buyer.headers)
    assert paid.json()["status"] == "paid"

    # From the wallet there is nowhere to go.
    other = (await place_order(client, buyer, sku_id)).json()
    await complete_on_sandbox(client, buyer, top_up.json()["payUrl"])
    from_wallet = await client.post(
        f"/api/orders/{other['id']}/pay", json={"method": "wallet"}, headers=buyer.headers
    )
    assert from_wallet.status_code == 200, from_wallet.text
    assert from_wallet.json()["payUrl"] == ""
