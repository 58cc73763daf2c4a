"""Becoming a distributor (open or by approval), the tree without loops, the team view, and the
operator's settings: validated, stored, audited."""

from __future__ import annotations

import asyncio

import httpx

from livecommerce.infra import db
from tests.distribution.helpers import become, chain, configure, share, visit
from tests.support import create_product, problem_code


async def test_loops_are_refused_also_when_two_moves_race(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    (a, a_out), (b, b_out), (c, c_out) = await chain(client, user_factory, ["a", "b", "c"])
    assert (b_out["parentId"], c_out["parentId"]) == (a.id, b.id)
    loop = await client.put(
        f"/api/admin/distributors/{a.id}/parent",
        json={"parentCode": c_out["code"]},
        headers=admin.headers,
    )
    assert (loop.status_code, problem_code(loop)) == (409, "distributor_loop")
    own = await client.put(
        f"/api/admin/distributors/{a.id}/parent",
        json={"parentCode": a_out["code"]},
        headers=admin.headers,
    )
    assert (own.status_code, problem_code(own)) == (409, "distributor_loop")
    # x and y are roots; "x under y" and "y under x" at once: one of them must be refused
    (x, x_out), (y, y_out) = [
        (u, await become(client, u))
        for u in (
            await user_factory("x", ["distributor"]),
            await user_factory("y", ["distributor"]),
        )
    ]
    moves = await asyncio.gather(
        client.put(
            f"/api/admin/distributors/{x.id}/parent",
            json={"parentCode": y_out["code"]},
            headers=admin.headers,
        ),
        client.put(
            f"/api/admin/distributors/{y.id}/parent",
            json={"parentCode": x_out["code"]},
            headers=admin.headers,
        ),
    )
    assert sorted(r.status_code for r in moves) == [200, 409]
    unknown = await client.post(
        "/api/distributors",
        json={"parentCode": "NOPE1234"},
        headers=(await user_factory("z")).headers,
    )
    assert (unknown.status_code, problem_code(unknown)) == (422, "unknown_referral_code")
    team = (await client.get("/api/distributors/me/team", headers=a.headers)).json()
    assert team["counts"] == {"1": 1, "2": 1, "3": 0}
    assert [(m["userId"], m["level"], m["name"]) for m in team["items"]] == [
        (c.id, 2, "C**"),
        (b.id, 1, "B**"),
    ]


async def test_with_approval_a_distributor_waits_for_an_admin_and_gets_the_parent_from_the_binding(
    client: httpx.AsyncClient,
    user_factory,
) -> None:
    admin = await user_factory("admin", ["admin"])
    await configure(client, admin, signup="approval")
    host = await user_factory("host", ["host"])
    product = await create_product(client, host)
    ((recruiter, _),) = await chain(client, user_factory, ["recruiter"])
    await visit(
        client,
        (await share(client, recruiter, product["id"]))["code"],
        viewer := await user_factory("viewer"),
    )
    asked = await client.post("/api/distributors", json={}, headers=viewer.headers)
    assert (
        asked.status_code == 202
        and asked.json()["status"] == "pending"
        and asked.json()["parentId"] == recruiter.id
    )
    again = await client.post("/api/distributors", json={}, headers=viewer.headers)
    assert (again.status_code, problem_code(again)) == (409, "already_distributor")
    cannot = await client.post(
        "/api/share-links", json={"productId": product["id"]}, headers=viewer.headers
    )
    assert cannot.status_code == 403
    application = (
        await client.get("/api/admin/role-applications?status=pending", headers=admin.headers)
    ).json()[0]
    await client.post(
        f"/api/admin/role-applications/{application['id']}/approve", headers=admin.headers
    )
    me = (await client.get("/api/distributors/me", headers=viewer.headers)).json()
    assert me["profile"]["status"] == "active"
    link = await client.post(
        "/api/share-links", json={"productId": product["id"]}, headers=viewer.headers
    )
    assert link.status_code == 201  # the old token now carries the role (published to Redis)


async def test_settings_are_validated_stored_and_audited(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    viewer = await user_factory("viewer")
    defaults = (await client.get("/api/admin/settings", headers=admin.headers)).json()
    assert (
        defaults["levels"],
        defaults["levelRatesBp"],
        defaults["bindingMode"],
        defaults["signup"],
    ) == (2, [1000, 500], "first_touch", "open")
    assert (await client.get("/api/admin/settings", headers=viewer.headers)).status_code == 403
    too_high = await client.put(
        "/api/admin/settings",
        json={"levels": 3, "levelRatesBp": [2000, 1000, 500]},
        headers=admin.headers,
    )
    assert (too_high.status_code, problem_code(too_high)) == (422, "commission_rates_too_high")
    mismatch = await client.put("/api/admin/settings", json={"levels": 3}, headers=admin.headers)
    assert (mismatch.status_code, problem_code(mismatch)) == (422, "invalid_settings")
    # Commissions come out of the host's share: a cap past (100% - platform fee) could never be
    # paid.
    past_fee = await client.put(
        "/api/admin/settings", json={"rateCapBp": 9600}, headers=admin.headers
    )
    assert (past_fee.status_code, problem_code(past_fee), past_fee.json()["max"]) == (
        422,
        "invalid_settings",
        9500,
    )
    unknown = await client.put(
        "/api/admin/settings", json={"bindingMode": "forever"}, headers=admin.headers
    )
    # A value of the wrong kind is refused by the body's type, naming the field; 422 is for
    # values that are each fine but break a law together.
    assert (unknown.status_code, problem_code(unknown)) == (400, "validation_error")
    assert "bindingMode" in unknown.json()["detail"]
    unknown_field = await client.put(
        "/api/admin/settings", json={"levelz": 3}, headers=admin.headers
    )
    assert (unknown_field.status_code, problem_code(unknown_field)) == (400, "validation_error")
    changed = await configure(
        client, admin, levels=3, levelRatesBp=[1500, 1000, 500], clawbackPolicy="cap_at_balance"
    )
    assert (changed["levels"], changed["withdrawalMin"]) == (3, 100)
    await configure(client, admin, withdrawalMin=500)
    audit = (await client.get("/api/admin/settings/audit", headers=admin.headers)).json()
    assert [row["actorId"] for row in audit] == [admin.id, admin.id]
    latest, first = audit
    assert first["before"] == {} and first["after"]["levels"] == 3
    assert latest["before"]["withdrawalMin"] == 100 and latest["after"]["withdrawalMin"] == 500
    host = await user_factory("host", ["host"])
    product = await create_product(client, host)
    over = await client.put(
        f"/api/products/{product['id']}/commission-rates",
        json={"ratesBp": [3000, 1]},
        headers=host.headers,
    )
    assert (over.status_code, problem_code(over)) == (422, "commission_rates_too_high")
    other_host = await user_factory("other_host", ["host"])
    theirs = await client.put(
        f"/api/products/{product['id']}/commission-rates",
        json={"ratesBp": [100]},
        headers=other_host.headers,
    )
    assert theirs.status_code == 404
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM operator_settings") == 1
