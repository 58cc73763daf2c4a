"""Sales = visitors × conversion × value per buyer, exactly, for any figures; the parts of a
change add up to it; and the host's session report figures come out of real orders and events."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from livecommerce.domains.analytics import rules, store
from livecommerce.domains.analytics.events import Event
from tests.support import live_room_with_product, pay_through_sandbox, place_order

figures = st.tuples(st.integers(0, 10**6), st.integers(0, 10**5), st.integers(0, 10**10))


@given(figures)
def test_the_three_factors_multiply_out_to_the_sales(f) -> None:
    visitors, buyers, sales = f
    sales = sales if buyers else 0  # no buyer, no sales
    d = rules.decompose(visitors, buyers, sales)
    assert d.visitors >= d.buyers and 0 <= d.conversion <= 1
    assert math.isclose(d.visitors * d.conversion * d.value_per_buyer, sales, rel_tol=1e-9)


@given(figures, figures)
def test_the_contributions_add_up_to_the_change_in_sales(a, b) -> None:
    now, before = rules.decompose(*a), rules.decompose(*b)
    split = rules.contributions(now, before)
    if split is None:
        assert min(now.sales, before.sales) <= 0 or 0 in (now.buyers, before.buyers)
        return
    total = split.visitors + split.conversion + split.value_per_buyer
    assert math.isclose(total, now.sales - before.sales, rel_tol=1e-6, abs_tol=1e-3)


async def _session_with_sales(client, host, buyers) -> tuple[dict, dict, int]:
    room, item = await live_room_with_product(client, host, price=1000, stock=100)
    live = await client.get(f"/api/rooms/{room['id']}", headers=host.headers)
    session_id = live.json()["session"]["id"]
    for buyer, quantity in buyers:
        placed = await place_order(
            client, buyer, item["skus"][0]["id"], quantity, roomId=room["id"]
        )
        assert placed.status_code == 201, placed.text
        await pay_through_sandbox(client, buyer, placed.json()["id"])
    return room, item, session_id


async def test_the_session_decomposition_multiplies_out_and_compares_with_the_last_one(
    client, user_factory
) -> None:
    host, other = await user_factory("host", ["host"]), await user_factory("other", ["host"])
    a, b, c = [await user_factory(n) for n in ("a", "b", "c")]
    room, item, first = await _session_with_sales(client, host, [(a, 1)])
    ended = await client.post(f"/api/rooms/{room['id']}/end", headers=host.headers)
    assert ended.status_code == 200
    second = (await client.post(f"/api/rooms/{room['id']}/start", headers=host.headers)).json()[
        "id"
    ]
    for buyer, quantity in ((b, 2), (c, 3)):
        placed = await place_order(
            client, buyer, item["skus"][0]["id"], quantity, roomId=room["id"]
        )
        await pay_through_sandbox(client, buyer, placed.json()["id"])
    # Visitors: 4 entered the first session, 5 the second (one of them twice).
    at = datetime.now(UTC)
    store.record(
        [
            Event(at, "room_enter", user_id=u, host_id=host.id, session_id=first)
            for u in (1, 2, 3, 4)
        ]
        + [
            Event(at, "room_enter", user_id=u, host_id=host.id, session_id=second)
            for u in (1, 1, 2, 3, 4, 5)
        ]
    )
    await store.flush()
    response = await client.get(
        f"/api/host/analytics/sessions/{second}/decomposition", headers=host.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    now, before = body["current"], body["previous"]
    assert (now["visitors"], now["buyers"], now["sales"]) == (5, 2, 5000)
    assert (before["visitors"], before["buyers"], before["sales"]) == (4, 1, 1000)
    for f in (now, before):
        assert math.isclose(f["visitors"] * f["conversion"] * f["valuePerBuyer"], f["sales"])
    assert body["previousSession"]["id"] == first
    assert math.isclose(body["changes"]["sales"], 4.0)
    parts = body["contributions"]
    assert math.isclose(sum(parts.values()), 4000, rel_tol=1e-6)
    stranger = await client.get(
        f"/api/host/analytics/sessions/{second}/decomposition", headers=other.headers
    )
    assert stranger.status_code == 404


async def test_the_funnel_api_counts_the_hosts_events_and_refuses_bad_steps(
    client, user_factory
) -> None:
    host, other = await user_factory("host", ["host"]), await user_factory("other", ["host"])
    room, _ = await live_room_with_product(client, host)
    at = datetime.now(UTC)
    store.record(
        [
            Event(at, "room_enter", user_id=1, host_id=host.id, room_id=room["id"]),
            Event(at, "product_view", user_id=1, host_id=host.id, room_id=room["id"]),
            Event(at, "room_enter", user_id=2, host_id=host.id, room_id=room["id"]),
            Event(at, "room_enter", user_id=3, host_id=other.id),
        ]
    )
    await store.flush()
    response = await client.get(
        "/api/host/analytics/funnel",
        params={"steps": "room_enter,product_view", "roomId": room["id"]},
        headers=host.headers,
    )
    assert response.status_code == 200, response.text
    steps = response.json()["steps"]
    assert [(s["kind"], s["viewers"]) for s in steps] == [("room_enter", 2), ("product_view", 1)]
    assert steps[1]["ofFirst"] == 0.5
    for bad in ("room_enter", "room_enter,room_enter", "room_enter,nope", "a" * 201):
        refused = await client.get(
            "/api/host/analytics/funnel", params={"steps": bad}, headers=host.headers
        )
        assert 400 <= refused.status_code < 500
    foreign = await client.get(
        "/api/host/analytics/funnel", params={"roomId": room["id"]}, headers=other.headers
    )
    assert foreign.status_code == 404
    daily = await client.get("/api/host/analytics/daily?days=3", headers=host.headers)
    assert daily.status_code == 200 and daily.json()["days"][-1]["visitors"] == 2


async def test_a_hosts_staff_reads_its_analytics_and_not_another_hosts(
    client, user_factory
) -> None:
    host, other = await user_factory("host", ["host"]), await user_factory("other", ["host"])
    _, _, mine = await _session_with_sales(client, host, [])
    _, _, theirs = await _session_with_sales(client, other, [])
    made = await client.post(
        "/api/host/staff",
        json={"username": "aide", "password": "aide-password-1"},
        headers=host.headers,
    )
    assert made.status_code == 201, made.text
    login = await client.post(
        "/api/auth/login", json={"username": "aide", "password": "aide-password-1"}
    )
    client.cookies.clear()
    staff = {"Authorization": f"Bearer {login.json()['token']}"}
    url = "/api/host/analytics/sessions/{}/decomposition"
    assert (await client.get(url.format(mine), headers=staff)).status_code == 200
    assert (await client.get(url.format(theirs), headers=staff)).status_code == 404
    viewer = await user_factory("viewer")
    assert (await client.get(url.format(mine), headers=viewer.headers)).status_code == 403
