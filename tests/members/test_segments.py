"""Segments: the live count of every filter combination equals a filter written in Python over
the same people; the paged list and `members_of` hold exactly those people; segments are the
host's own."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from livecommerce.domains.members import segments
from livecommerce.infra import db
from tests.members.crm_support import no_stray_events
from tests.support import TestUser

TIERS = ["", "silver", "gold"]
CODES = ["rfm:vip", "rfm:new", "viewed:p:1", "viewed:p:2", "manual:1"]
ROOMS = [11, 12, 13]


async def _population(user_factory, host: TestUser, rng: random.Random) -> list[dict[str, Any]]:
    """40 people with random figures, tags (some expired), rooms watched, a distributor and
    last events; returns what the Python reference filters over. Day offsets are k + 0.5 so no
    person sits on a filter's boundary."""
    now = datetime.now(UTC)
    distributor = await user_factory("dist", ["distributor"])
    people: list[dict[str, Any]] = []
    async with db.connection() as conn:
        for i in range(40):
            user = await user_factory(f"p{i:02d}")
            member = rng.random() < 0.8
            person: dict[str, Any] = {
                "id": user.id,
                "spend": 0,
                "orders": 0,
                "last_days": None,
                "tier": "",
                "tags": set(),
                "rooms": set(),
                "event_days": [],
                "distributor": False,
            }
            if member:
                person["orders"] = rng.randint(0, 6)
                person["spend"] = person["orders"] * rng.randint(0, 9000)
                person["last_days"] = rng.randint(0, 200) + 0.5 if person["orders"] else None
                person["tier"] = rng.choice(TIERS)
                last = now - timedelta(days=person["last_days"]) if person["last_days"] else None
                await conn.execute(
                    "INSERT INTO members (host_id, user_id, lifetime_spend, paid_orders,"
                    " first_paid_at, last_paid_at, tier_code) VALUES ($1, $2, $3, $4, $5, $5, $6)",
                    host.id,
                    user.id,
                    person["spend"],
                    person["orders"],
                    last,
                    person["tier"],
                )
            for code in rng.sample(CODES, rng.randint(0, 3)):
                expired = rng.random() < 0.2
                await conn.execute(
                    "INSERT INTO member_tags (host_id, user_id, kind, code, expires_at)"
                    " VALUES ($1, $2, 'rule', $3, $4)",
                    host.id,
                    user.id,
                    code,
                    now + timedelta(days=-1 if expired else 1),
                )
                if not expired:
                    person["tags"].add(code)
            for room in rng.sample(ROOMS, rng.randint(0, 3)):
                days = rng.randint(0, 60) + 0.5
                await conn.execute(
                    "INSERT INTO behaviour_events (occurred_at, kind, user_id, host_id, room_id)"
                    " VALUES ($1, 'room_enter', $2, $3, $4)",
                    now - timedelta(days=days),
                    user.id,
                    host.id,
                    room,
                )
                person["rooms"].add(room)
                person["event_days"].append(days)
            if rng.random() < 0.3:
                await conn.execute(
                    "INSERT INTO referral_bindings (buyer_id, distributor_id, source, mode)"
                    " VALUES ($1, $2, 'link', 'first_touch')",
                    user.id,
                    distributor.id,
                )
                person["distributor"] = True
            # A person is the host's if a member, or tagged by its rules (expired tags too).
            tagged = await conn.fetchval(
                "SELECT count(*) FROM member_tags WHERE host_id = $1 AND user_id = $2",
                host.id,
                user.id,
            )
            if member or tagged:
                people.append(person)
    for p in people:
        p["distributor_id"] = distributor.id
    return people


def _matches(p: dict[str, Any], f: dict[str, Any]) -> bool:
    """The reference: each filter as the documentation of SegmentFilters says it."""
    checks = [
        ("spendMin", lambda v: p["spend"] >= v),
        ("spendMax", lambda v: p["spend"] <= v),
        ("ordersMin", lambda v: p["orders"] >= v),
        ("ordersMax", lambda v: p["orders"] <= v),
        ("paidWithinDays", lambda v: p["last_days"] is not None and p["last_days"] < v),
        ("notPaidForDays", lambda v: p["last_days"] is None or p["last_days"] > v),
        ("tierCodes", lambda v: p["tier"] in v),
        (
            "tagsAny",
            lambda v: any(
                c in p["tags"] or (c.endswith("*") and any(t.startswith(c[:-1]) for t in p["tags"]))
                for c in v
            ),
        ),
        (
            "tagsNone",
            lambda v: (
                not any(
                    c in p["tags"]
                    or (c.endswith("*") and any(t.startswith(c[:-1]) for t in p["tags"]))
                    for c in v
                )
            ),
        ),
        ("roomIds", lambda v: bool(p["rooms"] & set(v))),
        ("roomsWatchedMin", lambda v: len(p["rooms"]) >= v),
        ("distributorId", lambda v: p["distributor"] and v == p["distributor_id"]),
        ("activeWithinDays", lambda v: any(d < v for d in p["event_days"])),
        ("inactiveForDays", lambda v: not any(d < v for d in p["event_days"])),
    ]
    return all(check(f[key]) for key, check in checks if key in f and f[key] not in (None, []))


def _random_filters(rng: random.Random, distributor_id: int) -> dict[str, Any]:
    options: dict[str, Any] = {
        "spendMin": lambda: rng.randint(0, 30000),
        "spendMax": lambda: rng.randint(0, 50000),
        "ordersMin": lambda: rng.randint(0, 6),
        "ordersMax": lambda: rng.randint(0, 6),
        "paidWithinDays": lambda: rng.randint(1, 200),
        "notPaidForDays": lambda: rng.randint(1, 200),
        "tierCodes": lambda: rng.sample(TIERS, rng.randint(1, 2)),
        "tagsAny": lambda: rng.sample([*CODES, "viewed:*"], rng.randint(1, 2)),
        "tagsNone": lambda: rng.sample([*CODES, "viewed:*"], 1),
        "roomIds": lambda: rng.sample(ROOMS, rng.randint(1, 2)),
        "roomsWatchedMin": lambda: rng.randint(1, 3),
        "distributorId": lambda: distributor_id,
        "activeWithinDays": lambda: rng.randint(1, 60),
        "inactiveForDays": lambda: rng.randint(1, 60),
    }
    keys = rng.sample(sorted(options), rng.randint(1, 3))
    return {k: options[k]() for k in keys}


async def test_segment_counts_equal_a_python_filter_over_the_same_people(
    client: httpx.AsyncClient, user_factory
) -> None:
    await no_stray_events()
    rng = random.Random(18)
    host = await user_factory("shop", ["host"])
    people = await _population(user_factory, host, rng)
    distributor_id = people[0]["distributor_id"]
    everyone = await client.post(
        "/api/host/segments/preview", json={"filters": {}}, headers=host.headers
    )
    assert everyone.json()["count"] == len(people)
    nonzero = 0
    for _ in range(60):
        filters = _random_filters(rng, distributor_id)
        expected = sum(1 for p in people if _matches(p, filters))
        nonzero += expected > 0
        got = await client.post(
            "/api/host/segments/preview", json={"filters": filters}, headers=host.headers
        )
        assert got.status_code == 200, got.text
        assert got.json()["count"] == expected, filters
    assert nonzero >= 20  # the combinations are not all empty

    # A saved segment: its list (paged) and members_of hold exactly the matching people.
    filters = {"tagsAny": ["viewed:*"], "ordersMax": 4}
    expected_ids = sorted(p["id"] for p in people if _matches(p, filters))
    saved = await client.post(
        "/api/host/segments", json={"name": "看过没买", "filters": filters}, headers=host.headers
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["count"] == len(expected_ids)
    segment_id = saved.json()["id"]
    listed: list[int] = []
    for offset in range(0, 60, 4):
        page = await client.get(
            f"/api/host/segments/{segment_id}/members",
            params={"offset": offset, "limit": 4},
            headers=host.headers,
        )
        assert page.json()["total"] == len(expected_ids)
        listed += [row["userId"] for row in page.json()["items"]]
    assert sorted(listed) == expected_ids and len(listed) == len(set(listed))
    async with db.connection() as conn:
        assert await segments.members_of(conn, host.id, segment_id) == expected_ids
    by_list = await client.get(
        "/api/host/members", params={"segmentId": segment_id, "limit": 100}, headers=host.headers
    )
    assert sorted(r["userId"] for r in by_list.json()["items"]) == expected_ids


async def test_segments_are_the_hosts_own_and_names_are_unique(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("shop", ["host"])
    other = await user_factory("othershop", ["host"])
    made = await client.post(
        "/api/host/segments", json={"name": "VIP", "filters": {"spendMin": 1}}, headers=host.headers
    )
    assert made.status_code == 201
    again = await client.post(
        "/api/host/segments", json={"name": "VIP", "filters": {}}, headers=host.headers
    )
    assert again.status_code == 409 and again.json()["code"] == "segment_name_taken"
    theirs = await client.post(
        "/api/host/segments", json={"name": "VIP", "filters": {}}, headers=other.headers
    )
    assert theirs.status_code == 201
    sid = made.json()["id"]
    for method, path in (
        ("GET", f"/api/host/segments/{sid}"),
        ("GET", f"/api/host/segments/{sid}/members"),
        ("GET", f"/api/host/segments/{sid}/export"),
        ("DELETE", f"/api/host/segments/{sid}"),
    ):
        assert (await client.request(method, path, headers=other.headers)).status_code == 404
    bad = await client.post(
        "/api/host/segments/preview",
        json={"filters": {"tagsAny": ["x'; DROP TABLE members; --"]}},
        headers=host.headers,
    )
    assert bad.status_code == 400
    unknown = await client.post(
        "/api/host/segments/preview", json={"filters": {"sql": "1=1"}}, headers=host.headers
    )
    assert unknown.status_code == 400
    async with db.connection() as conn:
        assert segments.members_of is not None
        assert await conn.fetchval("SELECT count(*) FROM member_segments") == 2
