from __future__ import annotations

import httpx
import msgspec
import pytest

from livecommerce.settings import Settings
from tests.support import problem_code, serving


async def test_open_signup_grants_the_host_role_with_a_fresh_token(
    client: httpx.AsyncClient, user_factory
) -> None:
    viewer = await user_factory("vic")
    response = await client.post("/api/me/roles", json={"role": "host"}, headers=viewer.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "approved" and body["token"]
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["roles"] == ["host"]
    again = await client.post(
        "/api/me/roles", json={"role": "host"}, headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert again.status_code == 409 and problem_code(again) == "already_has_role"


async def test_viewers_may_not_use_admin_routes(client: httpx.AsyncClient, user_factory) -> None:
    viewer = await user_factory("vera")
    host = await user_factory("hank", ["host"])
    for who in (viewer, host):
        response = await client.get("/api/admin/role-applications", headers=who.headers)
        assert response.status_code == 403 and problem_code(response) == "forbidden"
    anonymous = await client.get("/api/admin/role-applications")
    assert anonymous.status_code == 401


async def test_unknown_roles_cannot_be_applied_for(client: httpx.AsyncClient, user_factory) -> None:
    viewer = await user_factory("wendy")
    response = await client.post("/api/me/roles", json={"role": "admin"}, headers=viewer.headers)
    assert response.status_code == 400 and problem_code(response) == "validation_error"


@pytest.fixture
async def approval_server(migrated: Settings):
    from livecommerce.app import create_app

    async with serving(
        create_app(msgspec.structs.replace(migrated, distributor_signup="approval"))
    ) as server:
        yield server


async def test_with_approval_an_admin_grants_the_role_and_old_tokens_see_it(
    approval_server, user_factory
) -> None:
    from tests.support import make_user

    app = approval_server.app
    applicant = await make_user(app, "dora")
    admin = await make_user(app, "root", ["admin"])
    async with httpx.AsyncClient(base_url=approval_server.url) as client:
        applied = await client.post(
            "/api/me/roles",
            json={"role": "distributor", "note": "I sell tea"},
            headers=applicant.headers,
        )
        assert applied.status_code == 202 and applied.json()["status"] == "pending"
        twice = await client.post(
            "/api/me/roles", json={"role": "distributor"}, headers=applicant.headers
        )
        assert twice.status_code == 409 and problem_code(twice) == "application_pending"

        listed = await client.get(
            "/api/admin/role-applications?status=pending", headers=admin.headers
        )
        assert [a["userId"] for a in listed.json()] == [applicant.id]
        not_admin = await client.post(
            f"/api/admin/role-applications/{applied.json()['id']}/approve",
            headers=applicant.headers,
        )
        assert not_admin.status_code == 403

        approved = await client.post(
            f"/api/admin/role-applications/{applied.json()['id']}/approve", headers=admin.headers
        )
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        again = await client.post(
            f"/api/admin/role-applications/{applied.json()['id']}/reject",
            json={"reason": "already decided"},
            headers=admin.headers,
        )
        assert again.status_code == 409 and problem_code(again) == "illegal_transition"
        missing = await client.post(
            "/api/admin/role-applications/999/approve", headers=admin.headers
        )
        assert missing.status_code == 404

        # the token issued before approval now carries the role (roles pushed through Redis)
        me = await client.get("/api/me", headers=applicant.headers)
        assert me.json()["roles"] == ["distributor"]
