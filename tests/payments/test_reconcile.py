"""The reconciler applies a lost callback, skips a payment it can't reconcile, and counts both
where Prometheus reads them (GET /metrics)."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from livecommerce.domains.payments import jobs
from livecommerce.domains.payments.providers import sandbox
from livecommerce.infra import db
from livecommerce.worker.settings import job_context
from tests.support import create_product, ledger_state, place_order


async def _metrics(
    client: httpx.AsyncClient,
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    scraped = await client.get("/metrics")
    assert scraped.status_code == 200, scraped.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(scraped.text)
        for sample in family.samples
        if sample.name.startswith("livecommerce_reconcile")
    }


def _reconciled(metrics: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
    return metrics.get(("livecommerce_reconciled_total", ()), 0.0)


def _skipped(metrics: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> dict[str, float]:
    return {
        dict(labels)["reason"]: value
        for (name, labels), value in metrics.items()
        if name == "livecommerce_reconcile_skipped_total"
    }


async def test_a_lost_callback_is_applied_and_a_bad_payment_skipped_and_counted(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    async with db.connection() as conn:
        # Written past the API, which refuses an unknown provider: the row the reconciler can
        # never ask about. Its id comes first, so the good payment is reconciled after it fails.
        bad_id = await conn.fetchval(
            "INSERT INTO payments"
            " (user_id, order_id, purpose, provider, amount, status, refunded_amount, created_at)"
            " VALUES ($1, NULL, 'topup', 'paypal-ish', 500, 'pending', 0, now()) RETURNING id",
            buyer.id,
        )
    sku_id = (await create_product(client, host, price=2500))["skus"][0]["id"]
    order = (await place_order(client, buyer, sku_id)).json()
    started = await client.post(
        f"/api/orders/{order['id']}/pay", json={"method": "gateway"}, headers=buyer.headers
    )
    assert started.status_code == 200, started.text
    good_id = started.json()["paymentId"]
    async with db.connection() as conn:
        # The buyer paid at the gateway, whose callback never arrived.
        await sandbox().charge(conn, good_id, 2500)
        await conn.execute(
            "UPDATE payments SET created_at = now() - interval '10 minutes'"
            " WHERE id = ANY($1::int[])",
            [bad_id, good_id],
        )
    before = await _metrics(client)

    ctx = job_context(migrated)
    assert await jobs.reconcile_payments(ctx) == 1

    async with db.connection() as conn:
        statuses = dict(
            await conn.fetch(
                "SELECT id, status FROM payments WHERE id = ANY($1::int[])", [bad_id, good_id]
            )
        )
        assert statuses == {good_id: "succeeded", bad_id: "pending"}
        assert await conn.fetchval("SELECT status FROM orders WHERE id = $1", order["id"]) == "paid"
    assert (await ledger_state()).problems == []
    after = await _metrics(client)
    assert _reconciled(after) == _reconciled(before) + 1
    skipped_before, skipped_after = _skipped(before), _skipped(after)
    grew = {
        reason: n - skipped_before.get(reason, 0.0)
        for reason, n in skipped_after.items()
        if n != skipped_before.get(reason, 0.0)
    }
    assert grew == {"validation_error": 1.0}, grew  # "unknown payment provider 'paypal-ish'"

    # Run again (a cron tick later): the good one is done, the bad one is skipped and counted
    # again, so a stuck payment keeps the counter rising until someone looks.
    assert await jobs.reconcile_payments(ctx) == 0
    again = await _metrics(client)
    assert _reconciled(again) == _reconciled(after)
    assert _skipped(again)["validation_error"] == skipped_after["validation_error"] + 1
