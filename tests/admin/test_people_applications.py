"""Role applications decided by an operator: a rejection needs a reason, which the applicant
reads; both decisions are audited in their own transaction (a decision that fails leaves
neither the decision nor its audit row)."""

from __future__ import annotations

import httpx
import msgspec
import pytest

from livecommerce.infra import db
from livecommerce.settings import Settings
from tests.support import make_user, problem_code, serving


@pytest.fixture
async def approval_server(migrated: Settings):
    from livecommerce.app import create_app

    settings = msgspec.structs.replace(migrated, host_signup="approval")
    async with serving(create_app(settings)) as server:
        yield server


async def _apply(client: httpx.AsyncClient, user) -> dict:
    applied = await client.post(
        "/api/me/roles", json={"role": "host", "note": "I sell tea"}, headers=user.headers
    )
    assert applied.status_code == 202, applied.text
    return applied.json()


async def test_a_rejection_needs_a_reason_the_applicant_reads_and_both_decisions_are_audited(
    approval_server,
) -> None:
    app = approval_server.app
    applicant = await make_user(app, "dora")
    admin = await make_user(app, "root", ["admin"])
    async with httpx.AsyncClient(base_url=approval_server.url) as client:
        first = await _apply(client, applicant)
        listed = await client.get(
            "/api/admin/role-applications?status=pending", headers=admin.headers
        )
        assert [(a["username"], a["displayName"], a["note"]) for a in listed.json()] == [
            ("dora", "Dora", "I sell tea")
        ]
        for body in (None, {}, {"reason": " "}):
            kwargs = {"json": body} if body is not None else {}
            refused = await client.post(
                f"/api/admin/role-applications/{first['id']}/reject",
                headers=admin.headers,
                **kwargs,
            )
            assert refused.status_code == 400, (body, refused.text)
        rejected = await client.post(
            f"/api/admin/role-applications/{first['id']}/reject",
            json={"reason": "  营业执照不清晰  "},
            headers=admin.headers,
        )
        assert rejected.status_code == 200, rejected.text
        mine = (await client.get("/api/me/roles", headers=applicant.headers)).json()
        assert [(a["role"], a["status"], a["decisionReason"]) for a in mine] == [
            ("host", "rejected", "营业执照不清晰")
        ]

        second = await _apply(client, applicant)  # asking again clears the old answer
        mine = (await client.get("/api/me/roles", headers=applicant.headers)).json()
        assert [(a["status"], a["decisionReason"]) for a in mine] == [("pending", "")]
        approved = await client.post(
            f"/api/admin/role-applications/{second['id']}/approve", headers=admin.headers
        )
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        assert (await client.get("/api/me", headers=applicant.headers)).json()["roles"] == ["host"]

        audit = await client.get("/api/admin/audit?action=role_application.", headers=admin.headers)
        entries = [
            (e["action"], e["targetKind"], e["targetId"], e["before"], e["after"], e["reason"])
            for e in audit.json()["items"]
        ]
    who = {"role": "host", "userId": applicant.id}
    assert entries == [
        ("role_application.approve", "role_application", second["id"],
         {"status": "pending", **who}, {"status": "approved", **who}, ""),
        ("role_application.reject", "role_application", first["id"],
         {"status": "pending", **who}, {"status": "rejected", **who}, "营业执照不清晰"),
    ]  # fmt: skip


async def test_an_approval_that_fails_leaves_the_application_pending_and_no_audit_row(
    approval_server,
) -> None:
    app = approval_server.app
    applicant = await make_user(app, "ed")
    admin = await make_user(app, "root", ["admin"])
    async with httpx.AsyncClient(base_url=approval_server.url) as client:
        application = await _apply(client, applicant)
        # Granting the role fails after the audit row was written: both must go.
        async with db.connection() as conn:
            await conn.execute(
                "CREATE FUNCTION test_refuse_grant() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN RAISE EXCEPTION 'no' USING ERRCODE = 'serialization_failure'; END $$;"
                " CREATE TRIGGER test_refuse_grant BEFORE UPDATE OF roles ON users"
                " FOR EACH ROW EXECUTE FUNCTION test_refuse_grant()"
            )
        try:
            failed = await client.post(
                f"/api/admin/role-applications/{application['id']}/approve",
                headers=admin.headers,
            )
        finally:
            async with db.connection() as conn:
                await conn.execute(
                    "DROP TRIGGER test_refuse_grant ON users; DROP FUNCTION test_refuse_grant()"
                )
        assert (failed.status_code, problem_code(failed)) == (503, "busy")
        mine = (await client.get("/api/me/roles", headers=applicant.headers)).json()
        assert [a["status"] for a in mine] == ["pending"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM operator_actions") == 0
        assert await conn.fetchval("SELECT roles FROM users WHERE id = $1", applicant.id) == []
