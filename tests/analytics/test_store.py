"""The batch writer keeps every event: many concurrent beacons are as many rows, none lost and
none written twice, also when a write fails and is retried."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from livecommerce.domains.analytics.events import Event
from livecommerce.domains.analytics.store import PostgresEventStore
from livecommerce.infra import db
from livecommerce.realtime import guests
from tests.analytics.conftest import stored
from tests.support import create_product

T0 = datetime(2026, 12, 2, tzinfo=UTC)


async def test_two_hundred_concurrent_beacons_are_exactly_their_rows(
    client, user_factory, live
) -> None:
    host = await user_factory("host", ["host"])
    product = await create_product(client, host)
    signer = guests.GuestIds(live.app.state.settings.secret_key)
    visitors = [signer.issue() for _ in range(200)]

    async def beacon(guest: str) -> int:
        response = await client.post(
            "/api/events",
            json={"events": [{"kind": "product_view", "productId": product["id"]}] * 3},
            cookies={guests.COOKIE: guest},
        )
        return response.status_code

    statuses = await asyncio.gather(*(beacon(g) for g in visitors))
    assert set(statuses) == {202}
    rows = await stored()
    per_guest = Counter(r["guest_id"] for r in rows)
    assert per_guest == {guests.viewer_id(g): 3 for g in visitors}
    assert {(r["kind"], r["host_id"], r["product_id"]) for r in rows} == {
        ("product_view", host.id, product["id"])
    }


class _FlakyPool:
    """The app's pool, except that the first `failures` writes lose their connection."""

    def __init__(self, pool, failures: int) -> None:
        self.pool, self.failures = pool, failures

    def acquire(self):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionResetError("the database went away")
        return self.pool.acquire()


async def test_recorded_from_many_tasks_while_writes_fail_and_retry_every_event_lands_once(
    migrated,
) -> None:
    await db.start_pool(migrated)
    writer = PostgresEventStore(
        _FlakyPool(db.engine().pool, failures=2), batch_size=70, interval=0.01, parallel=2
    )

    async def producer(n: int) -> None:
        for i in range(50):
            writer.record([Event(T0 + timedelta(seconds=i), "share", user_id=n, host_id=1)])
            await asyncio.sleep(0)

    await asyncio.gather(*(producer(n) for n in range(1, 41)))
    await writer.close()
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT user_id, occurred_at FROM behaviour_events")
    assert writer.dropped == 0
    assert Counter((r["user_id"], r["occurred_at"]) for r in rows) == {
        (n, T0 + timedelta(seconds=i)): 1 for n in range(1, 41) for i in range(50)
    }


async def test_a_row_the_database_refuses_is_dropped_and_the_rest_still_land(migrated) -> None:
    await db.start_pool(migrated)
    writer = PostgresEventStore(batch_size=1, parallel=1)
    writer.record([Event(T0, "x" * 30, user_id=1)])  # kind is varchar(24)
    writer.record([Event(T0, "share", user_id=2)])
    await writer.close()
    async with db.connection() as conn:
        assert [r["user_id"] for r in await conn.fetch("SELECT user_id FROM behaviour_events")] == [
            2
        ]
    assert writer.dropped == 1
