"""A refused top-up writes nothing: no pending payment the reconciler could never ask about."""

from __future__ import annotations

import httpx

from livecommerce.infra import db
from tests.support import problem_code


async def test_a_top_up_with_an_unknown_provider_is_refused_before_anything_is_written(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    for name in ("paypal-ish", "x" * 300):
        refused = await client.post(
            "/api/me/wallet/topup", json={"amount": 500, "provider": name}, headers=buyer.headers
        )
        assert (refused.status_code, problem_code(refused)) == (400, "validation_error")
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM payments") == 0
    accepted = await client.post(
        "/api/me/wallet/topup", json={"amount": 500, "provider": "sandbox"}, headers=buyer.headers
    )
    assert accepted.status_code == 201, accepted.text
