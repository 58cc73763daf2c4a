"""Holding the distributor role is being a distributor: whichever endpoint asks for it (POST
/api/me/roles or POST /api/distributors), whoever grants it (open signup, an operator's approval,
the demo seed), the profile (code, parent) and the role come together."""

from __future__ import annotations

import importlib
from pathlib import Path

import httpx

from livecommerce.infra import db
from livecommerce.seed import seed_demo
from tests.distribution.helpers import become, configure, share
from tests.support import create_product, problem_code

MIGRATIONS = Path(__file__).parents[2] / "migrations"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_role_asked_for_by_itself_makes_the_profile(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    product = await create_product(client, host)
    ((recruiter, recruiter_out),) = [
        (user, await become(client, user)) for user in [await user_factory("r", ["distributor"])]
    ]
    link = await share(client, recruiter, product["id"])
    async with httpx.AsyncClient(base_url=str(client.base_url)) as browser:
        await browser.get(f"/s/{link['code']}", follow_redirects=False)
        await browser.post(
            "/api/auth/register", json={"username": "vic", "password": "a-long-password"}
        )
        applied = await browser.post("/api/me/roles", json={"role": "distributor"})
    assert (applied.status_code, applied.json()["status"]) == (201, "approved")
    token = _bearer(applied.json()["token"])
    me = await client.get("/api/distributors/me", headers=token)
    assert me.status_code == 200, me.text
    profile = me.json()["profile"]
    assert (profile["status"], profile["parentId"], profile["parentCode"]) == (
        "active",
        recruiter.id,
        recruiter_out["code"],
    )
    assert len(profile["code"]) == 8
    linked = await client.post("/api/share-links", json={"productId": product["id"]}, headers=token)
    assert linked.status_code == 201, linked.text
    again = await client.post("/api/distributors", json={}, headers=token)
    assert (again.status_code, problem_code(again)) == (409, "already_distributor")


async def test_becoming_a_distributor_grants_the_role(
    client: httpx.AsyncClient, user_factory
) -> None:
    viewer = await user_factory("vera")
    joined = await client.post("/api/distributors", json={}, headers=viewer.headers)
    assert joined.status_code == 201, joined.text
    assert (await client.get("/api/me", headers=viewer.headers)).json()["roles"] == ["distributor"]
    asked = await client.post(
        "/api/me/roles", json={"role": "distributor"}, headers=_bearer(joined.json()["token"])
    )
    assert (asked.status_code, problem_code(asked)) == (409, "already_has_role")


async def test_with_approval_either_endpoint_waits_for_the_operator_then_is_whole(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    # The operator's setting rules both endpoints (the environment says open).
    await configure(client, admin, signup="approval")
    host = await user_factory("host", ["host"])
    product = await create_product(client, host)
    by_roles, by_profile = await user_factory("dora"), await user_factory("paul")
    asked = await client.post(
        "/api/me/roles", json={"role": "distributor"}, headers=by_roles.headers
    )
    assert (asked.status_code, asked.json()["status"]) == (202, "pending")
    joined = await client.post("/api/distributors", json={}, headers=by_profile.headers)
    assert (joined.status_code, joined.json()["status"]) == (202, "pending")
    for user in (by_roles, by_profile):
        me = await client.get("/api/distributors/me", headers=user.headers)
        assert (me.status_code, me.json()["profile"]["status"]) == (200, "pending")
        cannot = await client.post(
            "/api/share-links", json={"productId": product["id"]}, headers=user.headers
        )
        assert cannot.status_code == 403
    twice = await client.post("/api/distributors", json={}, headers=by_roles.headers)
    assert (twice.status_code, problem_code(twice)) == (409, "already_distributor")
    pending = (
        await client.get("/api/admin/role-applications?status=pending", headers=admin.headers)
    ).json()
    assert sorted(a["userId"] for a in pending) == sorted([by_roles.id, by_profile.id])
    for application in pending:
        approved = await client.post(
            f"/api/admin/role-applications/{application['id']}/approve", headers=admin.headers
        )
        assert approved.status_code == 200, approved.text
    for user in (by_roles, by_profile):
        me = await client.get("/api/distributors/me", headers=user.headers)
        assert me.json()["profile"]["status"] == "active"
        linked = await client.post(
            "/api/share-links", json={"productId": product["id"]}, headers=user.headers
        )
        assert linked.status_code == 201, linked.text


async def test_an_operator_approving_an_application_made_without_a_profile_makes_one(
    client: httpx.AsyncClient, user_factory
) -> None:
    """An application left from before profiles came with the role: its approval still makes the
    profile."""
    admin = await user_factory("admin", ["admin"])
    applicant = await user_factory("old")
    async with db.connection() as conn:
        application = await conn.fetchval(
            "INSERT INTO role_applications (user_id, role, status, note, created_at)"
            " VALUES ($1, 'distributor', 'pending', '', now()) RETURNING id",
            applicant.id,
        )
    approved = await client.post(
        f"/api/admin/role-applications/{application}/approve", headers=admin.headers
    )
    assert approved.status_code == 200, approved.text
    me = await client.get("/api/distributors/me", headers=applicant.headers)
    assert (me.status_code, me.json()["profile"]["status"]) == (200, "active")


async def test_the_demo_distributor_is_a_distributor(client: httpx.AsyncClient) -> None:
    for _ in range(2):  # `up` seeds at every start: the second run changes nothing
        await seed_demo()
    login = await client.post(
        "/api/auth/login", json={"username": "demo-distributor", "password": "dist-pass-123"}
    )
    assert login.status_code == 200, login.text
    me = await client.get("/api/distributors/me", headers=_bearer(login.json()["token"]))
    assert (me.status_code, me.json()["profile"]["status"]) == (200, "active")
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM distributors") == 1


async def test_role_holders_without_a_profile_get_one_from_the_migration(
    client: httpx.AsyncClient, user_factory
) -> None:
    """Data from before (a demo seeded with the bare role, say) is mended once by a migration;
    until then every distributor endpoint says 409 not_a_distributor."""
    host = await user_factory("host", ["host"])
    product = await create_product(client, host)
    recruiter = await user_factory("recruiter", ["distributor"])
    await become(client, recruiter)
    link = await share(client, recruiter, product["id"])
    bare = await user_factory("bare", ["distributor"])
    await client.get(f"/s/{link['code']}", headers=bare.headers, follow_redirects=False)
    async with db.connection() as conn:  # the profile missing, as the old seed left it
        await conn.execute("DELETE FROM distributors WHERE user_id = $1", bare.id)
    viewer = await user_factory("viewer")
    for who in (bare, viewer):
        for path in ("", "/team", "/commissions", "/withdrawals"):
            answer = await client.get(f"/api/distributors/me{path}", headers=who.headers)
            assert (answer.status_code, problem_code(answer)) == (409, "not_a_distributor"), path
    for answer in (
        await client.post(
            "/api/share-links", json={"productId": product["id"]}, headers=bare.headers
        ),
        await client.get("/api/share-links", headers=bare.headers),
        await client.post(
            "/api/distributors/me/withdrawals", json={"amount": 100}, headers=bare.headers
        ),
    ):
        assert (answer.status_code, problem_code(answer)) == (409, "not_a_distributor")

    migration = importlib.import_module("migrations.livecommerce_2026_12_02t17_06_00_000000")
    async with db.connection() as conn:
        await conn.execute(migration.SQL)
        await conn.execute(migration.SQL)  # run twice: nothing more
        assert await conn.fetchval("SELECT count(*) FROM distributors") == 2
    me = await client.get("/api/distributors/me", headers=bare.headers)
    assert me.status_code == 200, me.text
    assert (me.json()["profile"]["status"], me.json()["profile"]["parentId"]) == (
        "active",
        recruiter.id,
    )
    assert MIGRATIONS.exists()
