"""A share link points at something that exists."""

from __future__ import annotations

import httpx

from tests.distribution.helpers import become
from tests.support import problem_code


async def test_a_share_link_to_a_room_or_product_that_does_not_exist_is_404_and_not_kept(
    client: httpx.AsyncClient, user_factory
) -> None:
    distributor = await user_factory("dist", ["distributor"])
    await become(client, distributor)
    answers = [
        await client.post("/api/share-links", json=body, headers=distributor.headers)
        for body in ({"roomId": 999_999}, {"productId": 999_999})
    ]
    assert [(r.status_code, problem_code(r)) for r in answers] == [(404, "not_found")] * 2
    mine = await client.get("/api/share-links", headers=distributor.headers)
    assert mine.json()["items"] == []
