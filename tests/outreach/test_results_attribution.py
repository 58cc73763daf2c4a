"""Attribution: the set-based query (outreach/attribution.py) credits exactly the orders a plain
Python reading of the rule credits, to the same messages, for any small set of messages,
deliveries and orders: an order paid by the buyer to the message's host within the window after
one of its deliveries was delivered, credited once, to the latest such delivery (ties: the
higher message id); other hosts' messages, undelivered ones and wholly refunded orders never
count; and the period is the message's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livecommerce.domains.outreach.attribution import followed_orders
from livecommerce.infra import db

T0 = datetime(2026, 6, 1, tzinfo=UTC)
SINCE, UNTIL = T0, T0 + timedelta(hours=48)
WINDOW = timedelta(hours=72)
JOURNEYS = ["reminder", "broadcast", "repurchase"]

# Coarse and narrow on purpose (6-hour steps): several touches per order, and orders paid on
# the window's edges (the window is 12 steps).
made_hours = st.integers(-4, 12).map(lambda n: n * 6)  # some before SINCE, some after UNTIL
paid_hours = st.integers(-2, 24).map(lambda n: n * 6)
delays = st.integers(0, 3).map(lambda n: n * 6)
messages = st.lists(
    st.tuples(
        st.integers(0, 1),  # buyer
        st.sampled_from([0, 0, 0, 1, None]),  # host (None: a message of no host)
        made_hours,  # made at T0 + hours
        st.lists(st.one_of(st.none(), delays), max_size=2),  # per channel (None: not delivered)
        st.sampled_from(JOURNEYS),
    ),
    min_size=2,
    max_size=10,
)
orders = st.lists(
    st.tuples(
        st.integers(0, 1),  # buyer
        st.sampled_from([0, 0, 1]),  # host
        st.one_of(st.none(), paid_hours),  # paid at T0 + hours (None: not paid)
        st.integers(1, 10_000),  # amount
        st.sampled_from(["none", "part", "all"]),  # refunded
    ),
    min_size=1,
    max_size=10,
)


@dataclass
class Touch:
    message_id: int
    user_id: int
    host_id: int | None
    made_at: datetime
    delivered_at: datetime


def reference(touches: list[Touch], paid: list[dict], host_id: int) -> dict[int, tuple[int, int]]:
    """order id -> (message id, sales), by the rule read plainly: every delivery is a candidate."""
    out: dict[int, tuple[int, int]] = {}
    for order in paid:
        if order["host_id"] != host_id or order["paid_at"] is None or order["status"] == "refunded":
            continue
        candidates = [
            t
            for t in touches
            if t.host_id == host_id
            and t.user_id == order["buyer_id"]
            and t.delivered_at <= order["paid_at"] < t.delivered_at + WINDOW
        ]
        if not candidates:
            continue
        latest = max(candidates, key=lambda t: (t.delivered_at, t.message_id))
        if SINCE <= latest.made_at < UNTIL:
            out[order["id"]] = (latest.message_id, order["pay"] - order["refunded"])
    return out


@pytest.fixture
async def people(user_factory) -> tuple[list[int], list[int]]:
    hosts = [(await user_factory(f"host{i}", ["host"])).id for i in range(2)]
    buyers = [(await user_factory(f"buyer{i}")).id for i in range(3)]
    return hosts, buyers


@given(messages=messages, orders=orders)
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
async def test_the_query_credits_what_the_rule_credits(app, people, messages, orders) -> None:
    hosts, buyers = people
    async with db.connection() as conn:
        tr = conn.transaction()
        await tr.start()
        try:
            touches: list[Touch] = []
            for i, (b, h, made, delays, journey) in enumerate(messages):
                host_id = hosts[h] if h is not None else None
                made_at = T0 + timedelta(hours=made)
                message_id = await conn.fetchval(
                    "INSERT INTO outreach_messages (user_id, host_id, journey, period, template,"
                    " created_at) VALUES ($1, $2, $3, $4, $3, $5) RETURNING id",
                    buyers[b],
                    host_id,
                    journey,
                    f"t:{i}",
                    made_at,
                )
                for channel, delay in zip(["inbox", "email"], delays, strict=False):
                    delivered_at = None if delay is None else made_at + timedelta(hours=delay)
                    await conn.execute(
                        "INSERT INTO outreach_deliveries (message_id, user_id, host_id, channel,"
                        " status, sent_at, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                        message_id,
                        buyers[b],
                        host_id,
                        channel,
                        "delivered" if delivered_at else "skipped",
                        delivered_at,
                    )
                    if delivered_at is not None:
                        touches.append(Touch(message_id, buyers[b], host_id, made_at, delivered_at))
            placed: list[dict] = []
            for b, h, paid, amount, refund in orders:
                paid_at = None if paid is None else T0 + timedelta(hours=paid)
                refunded = {"none": 0, "part": amount // 2, "all": amount}[refund]
                status = (
                    "pending_payment"
                    if paid_at is None
                    else ("refunded" if refund == "all" else "paid")
                )
                refunded = refunded if paid_at is not None else 0
                order_id = await conn.fetchval(
                    "INSERT INTO orders (buyer_id, host_id, status, total_amount, pay_amount,"
                    " refunded_amount, payment_deadline, paid_at)"
                    " VALUES ($1, $2, $3, $4, $4, $5, $6, $7) RETURNING id",
                    buyers[b],
                    hosts[h],
                    status,
                    amount,
                    refunded,
                    T0,
                    paid_at,
                )
                placed.append(
                    {
                        "id": order_id,
                        "buyer_id": buyers[b],
                        "host_id": hosts[h],
                        "paid_at": paid_at,
                        "status": status,
                        "pay": amount,
                        "refunded": refunded,
                    }
                )
            for host_id in hosts:
                got = await followed_orders(conn, host_id, SINCE, UNTIL, WINDOW)
                assert {f.order_id: (f.message_id, f.sales) for f in got} == reference(
                    touches, placed, host_id
                )
                assert len({f.order_id for f in got}) == len(got)  # each order once
        finally:
            await tr.rollback()
