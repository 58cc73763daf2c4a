"""Every people route of the console (users, bans, partners, role applications, the audit)
refuses a guest (401) and a viewer, host or distributor (403), with a body that would be valid,
and changes nothing when it refuses."""

from __future__ import annotations

import httpx

from livecommerce.infra import db

REASON = {"reason": "checking the guard"}


def _routes(user_id: int, application_id: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", "/api/admin/users", None),
        ("GET", "/api/admin/users?q=a&role=host&status=banned", None),
        ("GET", f"/api/admin/users/{user_id}", None),
        ("POST", f"/api/admin/users/{user_id}/ban", REASON),
        ("POST", f"/api/admin/users/{user_id}/unban", REASON),
        ("GET", "/api/admin/partners?kind=host", None),
        ("GET", "/api/admin/partners?kind=distributor&status=suspended", None),
        ("POST", f"/api/admin/partners/{user_id}/suspend", {"kind": "host", **REASON}),
        ("POST", f"/api/admin/partners/{user_id}/reinstate", {"kind": "host", **REASON}),
        ("GET", "/api/admin/audit", None),
        ("GET", "/api/admin/audit?action=user.&limit=5", None),
        ("GET", "/api/admin/role-applications", None),
        ("POST", f"/api/admin/role-applications/{application_id}/approve", None),
        ("POST", f"/api/admin/role-applications/{application_id}/reject", REASON),
    ]


async def test_guests_are_401_and_viewers_hosts_and_distributors_are_403(
    client: httpx.AsyncClient, user_factory
) -> None:
    viewer = await user_factory("viewer")
    host = await user_factory("host", ["host"])
    distributor = await user_factory("dist", ["distributor"])
    target = await user_factory("target", ["host"])
    async with db.connection() as conn:
        application = await conn.fetchval(
            "INSERT INTO role_applications (user_id, role, status, note, created_at)"
            " VALUES ($1, 'distributor', 'pending', '', now()) RETURNING id",
            target.id,
        )
    for method, path, body in _routes(target.id, application):
        kwargs = {"json": body} if body is not None else {}
        guest = await client.request(method, path, **kwargs)
        assert guest.status_code == 401, (method, path, guest.text)
        for who in (viewer, host, distributor):
            refused = await client.request(method, path, headers=who.headers, **kwargs)
            assert refused.status_code == 403, (who.username, method, path, refused.text)
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT banned_at, suspended_roles FROM users WHERE id = $1", target.id
        )
        assert (row["banned_at"], row["suspended_roles"]) == (None, [])
        assert await conn.fetchval("SELECT status FROM role_applications") == "pending"
        assert await conn.fetchval("SELECT count(*) FROM operator_actions") == 0
