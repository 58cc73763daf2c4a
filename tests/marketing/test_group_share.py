"""A distributor's group share card keeps their code: /s/{code}?g={id} records the click, binds
the visitor as any share link does, and lands on the group's page."""

from __future__ import annotations

from tests.distribution.helpers import bound_to, chain, share
from tests.marketing.group_support import group_product, opened
from tests.promotions.support import fund


async def test_a_distributors_group_link_binds_the_visitor_and_lands_on_the_group(
    client, user_factory
):
    host = await user_factory("host", ["host"])
    product = await group_product(client, host, size=2)
    ((distributor, _),) = await chain(client, user_factory, ["dist"])
    await fund(distributor, 10_000)
    group_id, _ = await opened(client, distributor, product["skuId"])
    link = await share(client, distributor, product["id"])
    friend = await user_factory("friend")
    followed = await client.get(
        f"/s/{link['code']}", params={"g": group_id}, headers=friend.headers
    )
    assert followed.status_code == 302
    assert followed.headers["location"].endswith(f"/g/{group_id}")
    assert await bound_to(friend.id) == distributor.id
    # Without `g` the link goes where it always went; a bad `g` is refused, never followed.
    plain = await client.get(f"/s/{link['code']}", headers=friend.headers)
    assert plain.headers["location"].endswith(f"/products/{product['id']}")
    bad = await client.get(f"/s/{link['code']}", params={"g": "//evil.example"})
    assert bad.status_code == 400
