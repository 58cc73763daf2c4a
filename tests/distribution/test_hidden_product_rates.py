"""A product's commission rates are as visible as the product itself."""

from __future__ import annotations

import httpx

from tests.support import create_product


async def test_the_rates_of_an_off_shelf_product_are_only_its_hosts(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, stranger = await user_factory("host", ["host"]), await user_factory("stranger")
    hidden = await create_product(client, host, title="Secret tea", on_shelf=False)
    shown = await create_product(client, host, title="Open tea")
    url = f"/api/products/{hidden['id']}/commission-rates"
    assert (await client.get(f"/api/products/{hidden['id']}")).status_code == 404
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=stranger.headers)).status_code == 404
    assert (await client.get(url, headers=host.headers)).status_code == 200
    assert (await client.get(f"/api/products/{shown['id']}/commission-rates")).status_code == 200
