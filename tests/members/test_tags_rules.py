"""Rule tags: recomputed from real orders and behaviour events, each with the figures that made
it and an expiry; a recompute removes what no longer holds, never touches manual tags, and two
recomputes at the same moment leave the same rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from livecommerce.domains.members import tag_jobs
from livecommerce.infra import db
from tests.members.crm_support import no_stray_events
from tests.support import TestUser, create_product, pay_through_sandbox, place_order

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


async def _buy(client: httpx.AsyncClient, buyer: TestUser, sku_id: int, at: datetime) -> int:
    """A paid order, moved to `at` (its payment time and the member's dates follow)."""
    placed = await place_order(client, buyer, sku_id)
    assert placed.status_code == 201, placed.text
    order_id = int(placed.json()["id"])
    await pay_through_sandbox(client, buyer, order_id)
    async with db.connection() as conn:
        await conn.execute("UPDATE orders SET paid_at = $2 WHERE id = $1", order_id, at)
        await conn.execute(
            "UPDATE members m SET first_paid_at = s.first, last_paid_at = s.last FROM ("
            " SELECT host_id, buyer_id, min(paid_at) AS first, max(paid_at) AS last FROM orders"
            " WHERE paid_at IS NOT NULL GROUP BY host_id, buyer_id) s"
            " WHERE m.host_id = s.host_id AND m.user_id = s.buyer_id"
        )
    return order_id


async def _view(user: TestUser, host: TestUser, product_id: int, at: datetime) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO behaviour_events (occurred_at, kind, user_id, host_id, product_id)"
            " VALUES ($1, 'product_view', $2, $3, $4)",
            at,
            user.id,
            host.id,
            product_id,
        )


async def _tags(host_id: int) -> dict[tuple[int, str], dict[str, Any]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT user_id, code, kind, evidence::text AS evidence, expires_at, computed_at"
            " FROM member_tags WHERE host_id = $1",
            host_id,
        )
    return {(r["user_id"], r["code"]): dict(r) for r in rows}


async def test_rule_tags_have_evidence_and_expiry_and_a_recompute_twice_writes_the_same(
    client: httpx.AsyncClient, user_factory
) -> None:
    await no_stray_events()
    host = await user_factory("shop", ["host"])
    tea = await create_product(client, host, price=3000, stock=100, title="Tea")
    cup = await create_product(client, host, price=500, stock=100, title="Cup")
    tea_sku, cup_sku = tea["skus"][0]["id"], cup["skus"][0]["id"]
    rules = await client.put(
        "/api/host/tags/rules",
        json={"vipSpend": 9000, "repurchaseMinSamples": 1},
        headers=host.headers,
    )
    assert rules.status_code == 200, rules.text

    fresh = await user_factory("fresh")  # first bought 5 days ago: new
    await _buy(client, fresh, cup_sku, NOW - timedelta(days=5))
    regular = await user_factory("regular")  # tea every 10 days, last 12 days ago
    for days in (32, 22, 12):
        await _buy(client, regular, tea_sku, NOW - timedelta(days=days))
    drifting = await user_factory("drifting")  # last bought 100 days ago: at risk
    await _buy(client, drifting, cup_sku, NOW - timedelta(days=100))
    gone = await user_factory("gone")  # 400 days ago: lost
    await _buy(client, gone, cup_sku, NOW - timedelta(days=400))
    looker = await user_factory("looker")  # viewed tea on 3 days (4 views), never bought
    for days, hour in ((3, 2), (2, 2), (1, 2), (1, 3)):
        await _view(looker, host, tea["id"], NOW - timedelta(days=days, hours=hour))
    glancer = await user_factory("glancer")  # 2 days only: no tag
    for days in (2, 1):
        await _view(glancer, host, tea["id"], NOW - timedelta(days=days))
    # A manual tag, which recomputes must leave alone.
    manual = await client.post("/api/host/tags", json={"name": "老客"}, headers=host.headers)
    await client.post(
        f"/api/host/members/{gone.id}/tags",
        json={"tagId": manual.json()["id"]},
        headers=host.headers,
    )

    first = await tag_jobs.recompute(host.id, NOW)
    tags = await _tags(host.id)
    codes = {(user, code) for user, code in tags}
    assert codes == {
        (fresh.id, "rfm:new"),
        (regular.id, "rfm:active"),
        (regular.id, "rfm:vip"),
        (regular.id, f"affinity:p:{tea['id']}"),
        (regular.id, f"repurchase:p:{tea['id']}"),
        (drifting.id, "rfm:at_risk"),
        (gone.id, "rfm:lost"),
        (gone.id, f"manual:{manual.json()['id']}"),
        (looker.id, f"viewed:p:{tea['id']}"),
    }
    assert first.tags == 8 and first.removed == 0

    import json

    def evidence(user: TestUser, code: str) -> dict[str, Any]:
        return dict(json.loads(tags[(user.id, code)]["evidence"]))

    assert evidence(fresh, "rfm:new")["paidOrders"] == 1
    assert tags[(fresh.id, "rfm:new")]["expires_at"] == NOW - timedelta(days=5) + timedelta(days=30)
    assert evidence(regular, "rfm:vip") == {"lifetimeSpend": 9000, "vipSpend": 9000}
    due = evidence(regular, f"repurchase:p:{tea['id']}")
    assert due["intervalDays"] == 10.0 and due["samples"] == 2
    assert tags[(regular.id, f"repurchase:p:{tea['id']}")]["expires_at"] == NOW + timedelta(days=8)
    assert evidence(regular, f"affinity:p:{tea['id']}")["shareBp"] == 10_000
    assert evidence(drifting, "rfm:at_risk")["daysSinceLastPaid"] == 100
    assert tags[(drifting.id, "rfm:at_risk")]["expires_at"] == NOW + timedelta(days=80)
    seen = evidence(looker, f"viewed:p:{tea['id']}")
    assert (seen["days"], seen["views"], seen["title"]) == (3, 4, "Tea")
    assert tags[(gone.id, "rfm:lost")]["expires_at"] == NOW + timedelta(hours=48)

    second = await tag_jobs.recompute(host.id, NOW)
    assert await _tags(host.id) == tags
    assert second.removed == 0

    # The looker buys the tea (no longer "viewed, never bought"); 30 days on, the fresh buyer
    # is no longer new and the regular is no longer due.
    await _buy(client, looker, tea_sku, NOW - timedelta(hours=1))
    later = NOW + timedelta(days=30)
    third = await tag_jobs.recompute(host.id, later)
    after = set(await _tags(host.id))
    assert (looker.id, f"viewed:p:{tea['id']}") not in after
    assert (fresh.id, "rfm:new") not in after and (fresh.id, "rfm:active") in after
    assert (regular.id, f"repurchase:p:{tea['id']}") not in after
    assert (gone.id, f"manual:{manual.json()['id']}") in after
    assert third.removed >= 3


async def test_expired_rule_tags_are_not_shown_on_the_360(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("shop", ["host"])
    buyer = await user_factory("buyer")
    cup = await create_product(client, host, price=500, title="Cup")
    await _buy(client, buyer, cup["skus"][0]["id"], datetime.now(UTC) - timedelta(days=1))
    await tag_jobs.recompute(host.id)
    shown = await client.get(f"/api/host/members/{buyer.id}", headers=host.headers)
    assert [t["code"] for t in shown.json()["tags"]] == ["rfm:new"]
    assert shown.json()["tags"][0]["evidence"]["paidOrders"] == 1
    async with db.connection() as conn:
        await conn.execute("UPDATE member_tags SET expires_at = now() - interval '1 second'")
    shown = await client.get(f"/api/host/members/{buyer.id}", headers=host.headers)
    assert shown.json()["tags"] == []


async def test_the_worker_job_run_twice_at_once_leaves_one_set_of_tags(
    client: httpx.AsyncClient, user_factory
) -> None:
    import asyncio

    host = await user_factory("shop", ["host"])
    cup = await create_product(client, host, price=500, stock=100, title="Cup")
    buyers = [await user_factory(f"b{i}") for i in range(5)]
    for i, buyer in enumerate(buyers):
        await _buy(client, buyer, cup["skus"][0]["id"], NOW - timedelta(days=30 * i + 1))
    ctx: dict[str, Any] = {}
    counts = await asyncio.gather(
        tag_jobs.recompute_host_tags(ctx, host.id), tag_jobs.recompute_host_tags(ctx, host.id)
    )
    assert counts[0] == counts[1] == 5
    tags = await _tags(host.id)
    assert len(tags) == 5  # one recency group each, never two rows of one (user, code)
    async with db.connection() as conn:
        groups = await conn.fetch(
            "SELECT user_id, count(*) FROM member_tags WHERE code LIKE 'rfm:%' GROUP BY user_id"
        )
    assert sorted(g["count"] for g in groups) == [1] * 5
