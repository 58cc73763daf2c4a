"""Repurchase by cycle: the learned cycle is the median interval of repeat buyers (checked
against Python's median on random purchases), the reminder comes at last purchase + cycle − lead
once per purchase whatever runs the sweep twice, at once or late, and a buyer who bought again
is skipped by the sweep and, just before sending, by the re-check."""

from __future__ import annotations

import asyncio
import statistics
from datetime import UTC, datetime, timedelta
from itertools import count, pairwise

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livecommerce.domains.outreach import cycle_rules, cycles, journey_repurchase
from livecommerce.infra import db
from tests.members.tiers_support import buy, sku_of
from tests.outreach.journey_support import messages, paid_days_ago, set_journeys

LEAD = 3
_names = count()


async def _raw_order(conn, buyer: int, host: int, product: int, sku: int, paid_at, status: str):
    order_id = await conn.fetchval(
        "INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount,"
        " pay_amount, refunded_amount, points_used, points_discount, payment_deadline, paid_at,"
        " created_at, note) VALUES ($1, $2, $3, 100, 0, 100, 0, 0, 0, $4, $4, $4, '') RETURNING id",
        buyer,
        host,
        status,
        paid_at,
    )
    await conn.execute(
        "INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, unit_price,"
        " quantity, amount, discount, paid_amount, refunded_amount)"
        " VALUES ($1, $2, $3, 't', 's', 100, 1, 100, 0, 100, 0)",
        order_id,
        product,
        sku,
    )
    return order_id


BUYERS = st.lists(
    st.lists(
        st.tuples(
            st.integers(0, 400 * 86_400),  # seconds after the start
            st.sampled_from(["completed", "paid", "cancelled", "refunded"]),
        ),
        min_size=1,
        max_size=5,
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(buyers=BUYERS, min_buyers=st.integers(1, 4))
async def test_the_learned_cycle_is_the_median_interval_of_repeat_buyers(
    app, buyers: list[list[tuple[int, str]]], min_buyers: int
) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    n = next(_names)
    async with db.transaction() as tx:
        conn = tx.conn
        host = await conn.fetchval(
            "INSERT INTO users (username, display_name, password_hash, roles) VALUES"
            " ($1, 'h', 'x', '{host}') RETURNING id",
            f"h{n}",
        )
        product = await conn.fetchval(
            "INSERT INTO products (host_id, title, on_shelf) VALUES ($1, 'p', true) RETURNING id",
            host,
        )
        sku = await conn.fetchval(
            "INSERT INTO skus (product_id, name, price, stock) VALUES ($1, 's', 100, 10)"
            " RETURNING id",
            product,
        )
        gaps: list[float] = []
        repeat = 0
        for b, purchases in enumerate(buyers):
            buyer = await conn.fetchval(
                "INSERT INTO users (username, display_name, password_hash) VALUES"
                " ($1, 'b', 'x') RETURNING id",
                f"b{n}_{b}",
            )
            times = []
            for offset, status in purchases:
                at = start + timedelta(seconds=offset)
                await _raw_order(conn, buyer, host, product, sku, at, status)
                if status in ("completed", "paid"):
                    times.append(at)
            times.sort()
            repeat += len(times) >= 2
            gaps += [(y - x).total_seconds() for x, y in pairwise(times)]
        await cycles.learn(conn, min_buyers, datetime.now(UTC))
        row = await conn.fetchrow(
            "SELECT * FROM outreach_product_cycles WHERE product_id = $1", product
        )
    if not gaps:
        assert row is None
        return
    expected = statistics.median(gaps)
    assert row["repeat_buyers"] == repeat
    assert abs(row["median_seconds"] - expected) < 1e-6
    assert row["learned_days"] == cycle_rules.learned_days(expected, repeat, min_buyers)


async def test_a_reminder_at_cycle_minus_lead_once_per_purchase_skipping_who_bought_again(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    due, early, again = [await user_factory(n) for n in ("due", "early", "again")]
    sku = await sku_of(client, host, 30_00)
    async with db.connection() as conn:
        product = await conn.fetchval("SELECT product_id FROM skus WHERE id = $1", sku)
    put = await client.put(
        f"/api/host/products/{product}/repurchase-cycle",
        json={"cycleDays": 30},
        headers=host.headers,
    )
    assert put.status_code == 200, put.text
    assert put.json()["effectiveDays"] == 30 and put.json()["source"] == "host"

    # due: bought 28 days ago, the reminder was due a day ago (30 − 3 = 27 days after).
    due_order = await buy(client, due, sku)
    await paid_days_ago(due_order["id"], 28)
    # early: bought 20 days ago, not due for a week.
    await paid_days_ago((await buy(client, early, sku))["id"], 20)
    # again: bought 28 days ago, and again 2 days ago: the last purchase is not due.
    await paid_days_ago((await buy(client, again, sku))["id"], 28)
    await paid_days_ago((await buy(client, again, sku))["id"], 2)

    now = datetime.now(UTC)
    runs = await asyncio.gather(
        journey_repurchase.sweep(now, LEAD), journey_repurchase.sweep(now, LEAD)
    )
    assert sum(reached for _, reached in runs) == 1
    late = await journey_repurchase.sweep(now + timedelta(days=2), LEAD)
    assert late == (0, 0)
    said = await messages("repurchase")
    assert [(m["user_id"], m["period"]) for m in said] == [
        (due.id, f"product:{product}:last:{due_order['id']}")
    ]
    assert said[0]["link"] == f"/products/{product}"

    # A week past its day, a reminder is stale: early's comes within the grace, not after.
    later = now + timedelta(days=7)
    assert (await journey_repurchase.sweep(later, LEAD))[1] == 1
    assert {m["user_id"] for m in await messages("repurchase")} == {due.id, early.id}

    # due buys again: the message waiting to be sent is no longer true (the re-check).
    async with db.connection() as conn:
        message = await conn.fetchrow(
            "SELECT * FROM outreach_messages WHERE user_id = $1 AND journey = 'repurchase'",
            due.id,
        )
        assert await journey_repurchase.still_due(conn, message) is True
    await buy(client, due, sku)
    async with db.connection() as conn:
        assert await journey_repurchase.still_due(conn, message) is False


async def test_the_sweep_skips_a_buyer_who_bought_again_and_a_host_who_switched_it_off(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku = await sku_of(client, host, 30_00)
    async with db.connection() as conn:
        product = await conn.fetchval("SELECT product_id FROM skus WHERE id = $1", sku)
    await client.put(
        f"/api/host/products/{product}/repurchase-cycle",
        json={"cycleDays": 10},
        headers=host.headers,
    )
    first = await buy(client, buyer, sku)
    await paid_days_ago(first["id"], 8)  # due a day ago (10 − 3 = 7)
    second = await buy(client, buyer, sku)
    await paid_days_ago(second["id"], 8)
    async with db.connection() as conn:  # the same moment: the later id is the last purchase
        await conn.execute(
            "UPDATE orders SET paid_at = (SELECT paid_at FROM orders WHERE id = $1) WHERE id = $2",
            first["id"],
            second["id"],
        )
    off = await set_journeys(client, host, {"journey": "repurchase", "enabled": False})
    assert off.status_code == 200, off.text
    assert await journey_repurchase.sweep(datetime.now(UTC), LEAD) == (0, 0)
    await set_journeys(client, host, {"journey": "repurchase", "enabled": True})
    assert (await journey_repurchase.sweep(datetime.now(UTC), LEAD))[1] == 1
    said = await messages("repurchase")
    assert [m["period"] for m in said] == [f"product:{product}:last:{second['id']}"]
    # A purchase since: the sweep finds nothing for the new one either (not due yet).
    await buy(client, buyer, sku)
    assert await journey_repurchase.sweep(datetime.now(UTC), LEAD) == (0, 0)


async def test_the_delivery_job_skips_a_reminder_once_the_buyer_bought_again(
    client: httpx.AsyncClient, user_factory
) -> None:
    from livecommerce.domains.outreach import delivery
    from livecommerce.settings import load_settings
    from livecommerce.wiring import wire

    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku = await sku_of(client, host, 30_00)
    async with db.connection() as conn:
        product = await conn.fetchval("SELECT product_id FROM skus WHERE id = $1", sku)
    await client.put(
        f"/api/host/products/{product}/repurchase-cycle",
        json={"cycleDays": 10},
        headers=host.headers,
    )
    await paid_days_ago((await buy(client, buyer, sku))["id"], 8)
    assert (await journey_repurchase.sweep(datetime.now(UTC), LEAD))[1] == 1
    await buy(client, buyer, sku)  # before the delivery job ran
    rechecks = wire(load_settings({"ENV": "test"})).outreach.rechecks
    async with db.connection() as conn:
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM outreach_deliveries")]
    assert ids
    for delivery_id in ids:
        await delivery.deliver(delivery_id, rechecks)
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT status, skip_reason FROM outreach_deliveries")
    assert {(r["status"], r["skip_reason"]) for r in rows} == {("skipped", "no_longer_true")}
