"""Input the database can't hold is the client's mistake: a 400 problem, never a 500."""

from __future__ import annotations

import httpx

from tests.support import problem_code


async def test_ids_and_cursors_past_the_column_range_are_a_400_not_a_500(client: httpx.AsyncClient, user_factory) -> None:
    buyer = await user_factory("buyer")
    responses = [
        await client.get("/api/products/2213530464"),
        await client.get("/api/products/-11850823739"),
        await client.get("/api/products", params={"cursor": "-2820766514942184367972465770496"}),
        await client.get("/api/orders/53951926351789373023284363264", headers=buyer.headers),
        await client.get("/sandbox/pay/4652307149"),
    ]
    assert [(r.status_code, problem_code(r)) for r in responses] == [(400, "validation_error")] * len(responses)
    # in range but absent is still a plain 404
    assert (await client.get("/api/products/2147483647")).status_code == 404
