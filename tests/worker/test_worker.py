from __future__ import annotations

import asyncio

import httpx
from arq.worker import Worker

from livecommerce.infra import db
from livecommerce.worker.settings import job_context, worker_options
from tests.support import create_product, place_order


async def test_a_real_arq_worker_runs_the_deferred_cancel_job_once(
    client: httpx.AsyncClient, user_factory, app, migrated
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, stock=3))["skus"][0]["id"]
    order_id = (await place_order(client, buyer, sku_id)).json()["id"]
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE orders SET payment_deadline = now() - interval '1 minute' WHERE id = $1",
            order_id,
        )
    # placing the order enqueued `cancel_unpaid_order` with a job id: enqueueing it again is refused
    redis = app.state.redis
    assert (
        await redis.enqueue_job(
            "cancel_unpaid_order", order_id, _job_id=f"cancel-unpaid:{order_id}"
        )
        is None
    )
    # the deferred job is due minutes from now; stand in two due copies (a job delivered twice)
    assert await redis.zrem("arq:queue", f"cancel-unpaid:{order_id}") == 1
    for copy in (1, 2):
        await redis.enqueue_job(
            "cancel_unpaid_order", order_id, _job_id=f"cancel-unpaid-copy{copy}:{order_id}"
        )
    options = {k: v for k, v in worker_options(migrated).items() if k not in ("on_shutdown",)}
    options["cron_jobs"] = []
    worker = Worker(
        **options,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        ctx=job_context(migrated),
        redis_pool=redis,
    )
    await asyncio.wait_for(worker.main(), 20)
    assert (worker.jobs_complete, worker.jobs_failed) == (2, 0)
    results = sorted([r.result for r in await redis.all_job_results()])
    assert results == [False, True]  # the second run found nothing to do
    async with db.connection() as conn:
        assert (
            await conn.fetchval("SELECT status FROM orders WHERE id = $1", order_id) == "cancelled"
        )
        assert await conn.fetchval("SELECT stock FROM skus WHERE id = $1", sku_id) == 3
