"""A host's journey switches and repurchase cycles: defaults, checks (its own coupon, its own
product), and the learned cycle shown beside the host's."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from livecommerce.domains.outreach import cycles
from livecommerce.infra import db
from tests.members.tiers_support import sku_of
from tests.outreach.journey_support import set_journeys
from tests.support import create_room, problem_code


async def _coupon(client: httpx.AsyncClient, host) -> int:
    room = await create_room(client, host)
    made = await client.post(
        f"/api/rooms/{room['id']}/coupons",
        json={
            "title": "券",
            "kind": "amount_off",
            "amountOff": 100,
            "quota": 10,
            "validMinutes": 60,
        },
        headers=host.headers,
    )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def test_journey_switches_default_on_except_the_coupon_one_and_check_the_coupon(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, other = await user_factory("host", ["host"]), await user_factory("other", ["host"])
    viewer = await user_factory("viewer")
    got = await client.get("/api/host/outreach-journeys", headers=host.headers)
    assert got.status_code == 200, got.text
    assert {j["journey"]: (j["enabled"], j["couponId"]) for j in got.json()["journeys"]} == {
        "reminder": (True, None),
        "repurchase": (True, None),
        "viewed_not_bought": (False, None),
        "member_day": (True, None),
        "tier_change": (True, None),
    }
    assert (await client.get("/api/host/outreach-journeys")).status_code == 401
    assert (
        await client.get("/api/host/outreach-journeys", headers=viewer.headers)
    ).status_code == 403

    no_coupon = await set_journeys(client, host, {"journey": "viewed_not_bought", "enabled": True})
    assert (no_coupon.status_code, problem_code(no_coupon)) == (422, "journey_invalid")
    theirs = await _coupon(client, other)
    stolen = await set_journeys(
        client, host, {"journey": "viewed_not_bought", "enabled": True, "couponId": theirs}
    )
    assert (stolen.status_code, problem_code(stolen)) == (404, "not_found")
    wrong = await set_journeys(
        client, host, {"journey": "reminder", "enabled": True, "couponId": theirs}
    )
    assert wrong.status_code == 422
    twice = await set_journeys(
        client,
        host,
        {"journey": "reminder", "enabled": True},
        {"journey": "reminder", "enabled": False},
    )
    assert twice.status_code == 422
    bad = await set_journeys(client, host, {"journey": "broadcast", "enabled": True})
    assert bad.status_code == 400

    mine = await _coupon(client, host)
    saved = await set_journeys(
        client,
        host,
        {"journey": "viewed_not_bought", "enabled": True, "couponId": mine},
        {"journey": "reminder", "enabled": False},
    )
    assert saved.status_code == 200, saved.text
    shown = {j["journey"]: (j["enabled"], j["couponId"]) for j in saved.json()["journeys"]}
    assert shown["viewed_not_bought"] == (True, mine) and shown["reminder"] == (False, None)
    assert shown["repurchase"] == (True, None)  # not named: unchanged
    # Another host's switches are its own.
    theirs_now = await client.get("/api/host/outreach-journeys", headers=other.headers)
    assert all(j["couponId"] is None for j in theirs_now.json()["journeys"])


async def test_a_products_cycle_is_the_hosts_or_the_learned_one_and_others_get_404(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host, other = await user_factory("host", ["host"]), await user_factory("other", ["host"])
    sku = await sku_of(client, host, 10_00)
    async with db.connection() as conn:
        product = await conn.fetchval("SELECT product_id FROM skus WHERE id = $1", sku)
    url = f"/api/host/products/{product}/repurchase-cycle"
    got = await client.get(url, headers=host.headers)
    assert got.status_code == 200, got.text
    assert got.json() == {
        "productId": product,
        "cycleDays": None,
        "learnedDays": None,
        "repeatBuyers": 0,
        "effectiveDays": None,
        "source": "none",
        "leadDays": 3,
        "minRepeatBuyers": 5,
    }
    for response in (
        await client.get(url, headers=other.headers),
        await client.put(url, json={"cycleDays": 9}, headers=other.headers),
    ):
        assert (response.status_code, problem_code(response)) == (404, "not_found")
    assert (await client.put(url, json={"cycleDays": 0}, headers=host.headers)).status_code == 400
    assert (await client.put(url, json={"cycleDays": 731}, headers=host.headers)).status_code == 400

    async with db.connection() as conn:  # as if the nightly job had learned 20 days
        await conn.execute(
            "INSERT INTO outreach_product_cycles (product_id, host_id, learned_days,"
            " repeat_buyers) VALUES ($1, $2, 20, 7)",
            product,
            host.id,
        )
    learned = (await client.get(url, headers=host.headers)).json()
    assert (learned["effectiveDays"], learned["source"], learned["repeatBuyers"]) == (
        20,
        "learned",
        7,
    )
    put = await client.put(url, json={"cycleDays": 45}, headers=host.headers)
    assert (put.json()["effectiveDays"], put.json()["source"]) == (45, "host")
    # The nightly job (no repeat buyers now) clears the learned cycle, never the host's.
    await cycles.learn_all(migrated, datetime.now(UTC))
    after = (await client.get(url, headers=host.headers)).json()
    assert (after["cycleDays"], after["learnedDays"], after["source"]) == (45, None, "host")
    cleared = await client.put(url, json={"cycleDays": None}, headers=host.headers)
    assert (cleared.json()["effectiveDays"], cleared.json()["source"]) == (None, "none")
