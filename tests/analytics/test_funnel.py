"""The funnel's one SQL pass counts what its definition in Python counts (rules.reference_funnel),
on random small histories, with and without the viewer and row filters."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livecommerce.domains.analytics import store
from livecommerce.domains.analytics.events import Event
from livecommerce.domains.analytics.funnel_sql import FunnelQuery
from livecommerce.domains.analytics.rules import reference_funnel
from livecommerce.infra import db

STEPS = ("room_enter", "product_view", "checkout_start", "paid")
T0 = datetime(2026, 12, 1, tzinfo=UTC)
_hosts = itertools.count(1000)  # each example writes under a host of its own

event = st.tuples(
    st.integers(0, 5),  # viewer
    st.sampled_from([*STEPS, "share"]),
    st.integers(0, 72 * 60),  # minutes after T0: some chains fit 24 h, some don't
    st.sampled_from([None, 7, 8]),  # product
    st.sampled_from([None, 41, 42]),  # distributor
)


def _events(host_id: int, rows: list[tuple[int, str, int, int | None, int | None]]) -> list[Event]:
    out = []
    for viewer, kind, minute, product, distributor in rows:
        # Viewers 0-2 are users, 3-5 guests: the two kinds of identity never mix.
        user, guest = (viewer, None) if viewer < 3 else (None, f"g:{viewer}")
        out.append(
            Event(
                T0 + timedelta(minutes=minute),
                kind,
                user_id=user,
                guest_id=guest,
                host_id=host_id,
                room_id=1,
                session_id=1,
                product_id=product,
                distributor_id=distributor,
            )
        )
    return out


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(event, max_size=40),
    steps=st.sampled_from([STEPS, STEPS[:2], ("product_view", "paid", "room_enter")]),
    hours=st.sampled_from([1, 24, 48]),
    product=st.sampled_from([None, 7]),
    distributor=st.sampled_from([None, 41]),
)
async def test_the_sql_funnel_counts_what_the_reference_counts(
    migrated, rows, steps, hours, product, distributor
) -> None:
    await db.start_pool(migrated)
    host_id = next(_hosts)
    events = _events(host_id, rows)
    writer = store.PostgresEventStore()
    writer.record(events)
    await writer.flush()
    await writer.close()
    window = timedelta(hours=hours)
    query = FunnelQuery(
        host_id=host_id,
        steps=steps,
        since=T0,
        until=T0 + timedelta(days=4),
        window=window,
        product_id=product,
        distributor_id=distributor,
    )
    # Row filters first (the product), then the viewer's mark among the rows they keep.
    kept = [e for e in events if product is None or e.product_id in (None, product)]
    marked = {
        (e.user_id, e.guest_id)
        for e in kept
        if distributor is None or e.distributor_id == distributor
    }
    expected = reference_funnel(
        [
            ((e.user_id, e.guest_id), e.kind, e.occurred_at)
            for e in kept
            if (e.user_id, e.guest_id) in marked
        ],
        steps,
        window,
    )
    assert await writer.funnel(query) == expected


def test_the_reference_follows_order_and_window() -> None:
    at = [T0 + timedelta(hours=h) for h in range(5)]
    events = [
        ("a", "room_enter", at[0]), ("a", "product_view", at[1]), ("a", "paid", at[2]),
        ("b", "product_view", at[0]), ("b", "room_enter", at[1]),  # wrong order: step 1 only
        ("c", "room_enter", at[0]), ("c", "product_view", at[4]),  # past a 3 h window
        ("c", "room_enter", at[3]),  # ... but a later start fits
    ]  # fmt: skip
    steps = ("room_enter", "product_view", "paid")
    assert reference_funnel(events, steps, timedelta(hours=3)) == [3, 2, 1]
    assert reference_funnel(events, steps, timedelta(minutes=30)) == [3, 0, 0]
