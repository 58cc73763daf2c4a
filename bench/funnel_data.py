"""The events bench/funnel.py ingests and funnels over, and the naive query it races.

A week of one host's 20 rooms, watched by heavy viewers, as a brand's daily live streams are:
each viewer comes 25-45 times in the week (a few visits a day), and each visit enters a room,
views 0-16 products, sometimes opens the bag, shares, and leaves; about a third of the viewers
are buyers who add to the sheet, start checkouts and pay now and then. About 450 events per
viewer: many repeats of each kind, and chains that only complete past the 24 h window, which is
what makes a chained self-join of the events slow (its rows grow with the square of a viewer's
events) and what the ordering rules are tested on.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from livecommerce.domains.analytics.events import Event

HOST_ID = 1
START = datetime(2026, 11, 2, tzinfo=UTC)
DAYS = 7
STEPS = ("room_enter", "product_view", "checkout_start", "paid")
WINDOW = timedelta(hours=24)


def generate(n_events: int, per_viewer: int = 450, seed: int = 7) -> list[Event]:
    """About `n_events` events (exactly that many: the last viewer is cut short)."""
    rng = random.Random(seed)
    events: list[Event] = []
    viewers = max(1, n_events // per_viewer)
    rooms = [(room, 100 + room) for room in range(1, 21)]  # (room id, its session of the week)
    products = list(range(1, 201))
    span = DAYS * 86_400
    viewer = 0
    while len(events) < n_events:
        viewer = viewer % viewers + 1
        visits = rng.randint(25, 45)
        # Most viewers watch and browse; about a third are buyers, who add to the sheet often.
        adds = 0.15 if rng.random() < 0.35 else 0.002
        for _ in range(visits):
            room, session = rng.choice(rooms)
            channel = rng.choice(("direct", "wechat", "link", "poster"))
            visit = _Visit(
                events,
                START + timedelta(seconds=rng.randrange(span - 7_200)),
                Event(
                    START,
                    "",
                    viewer,
                    None,
                    HOST_ID,
                    room,
                    session,
                    None,
                    rng.randint(1, 300) if channel == "link" else None,
                    channel,
                    rng.choice(("ios", "android", "desktop")),
                ),
            )
            if channel == "link":
                visit.add("link_click", 0)
            visit.add("room_enter", rng.randint(0, 5))
            watched = 0
            for _ in range(rng.randint(0, 16)):
                product = rng.choice(products)
                step = rng.randint(5, 300)
                watched += step
                visit.add("product_view", step, product_id=product)
                if rng.random() < 0.3:
                    visit.add("bag_open", 3)
                if rng.random() < adds:
                    visit.add("sheet_add", 5, product_id=product)
                    if rng.random() < 0.6:
                        visit.add("checkout_start", 10, product_id=product)
                        if rng.random() < 0.7:
                            visit.add(
                                "paid", 20, product_id=product, order_id=len(events), amount=9_900
                            )
            if rng.random() < 0.1:
                visit.add("share", 5)
            visit.add("room_leave", 30, watch_seconds=watched + 30)
        if len(events) >= n_events:
            break
    del events[n_events:]
    return events


class _Visit:
    """One visit's events: the viewer, room, channel and device of `base`, times moving on."""

    def __init__(self, out: list[Event], at: datetime, base: Event) -> None:
        self.out, self.at, self.base = out, at, base

    def add(self, kind: str, seconds: int, **more: Any) -> None:
        self.at += timedelta(seconds=seconds)
        self.out.append(self.base._replace(occurred_at=self.at, kind=kind, **more))


def naive_funnel_sql(table: str = "behaviour_events") -> str:
    """What a first attempt writes: join the events to themselves once per step. Same definition
    as ours (some chain step 1 ≤ 2 ≤ ... within the window from step 1), counted with DISTINCT
    over every chain the joins produce; it may use the same indexes ours may."""
    return f"""
SELECT count(DISTINCT e1.user_id) AS s1, count(DISTINCT e2.user_id) AS s2,
       count(DISTINCT e3.user_id) AS s3, count(DISTINCT e4.user_id) AS s4
FROM {table} e1
LEFT JOIN {table} e2 ON e2.host_id = $1 AND e2.user_id = e1.user_id AND e2.kind = $5
  AND e2.occurred_at >= e1.occurred_at AND e2.occurred_at <= e1.occurred_at + $8::interval
  AND e2.occurred_at < $3
LEFT JOIN {table} e3 ON e3.host_id = $1 AND e3.user_id = e2.user_id AND e3.kind = $6
  AND e3.occurred_at >= e2.occurred_at AND e3.occurred_at <= e1.occurred_at + $8::interval
  AND e3.occurred_at < $3
LEFT JOIN {table} e4 ON e4.host_id = $1 AND e4.user_id = e3.user_id AND e4.kind = $7
  AND e4.occurred_at >= e3.occurred_at AND e4.occurred_at <= e1.occurred_at + $8::interval
  AND e4.occurred_at < $3
WHERE e1.host_id = $1 AND e1.kind = $4 AND e1.occurred_at >= $2 AND e1.occurred_at < $3
  AND e1.user_id IS NOT NULL
"""
