"""GET /api/admin/audit: newest first, filtered by action (or its kind), actor and target,
paged back with beforeId."""

from __future__ import annotations

import httpx


async def test_the_audit_is_filtered_by_action_actor_and_target_and_pages_back(
    client: httpx.AsyncClient, user_factory
) -> None:
    alice = await user_factory("alice", ["admin"])
    bob = await user_factory("bob", ["admin"])
    viewer = await user_factory("viewer")
    host = await user_factory("host", ["host"])
    steps = [
        (alice, f"/api/admin/users/{viewer.id}/ban", {"reason": "spam"}),
        (alice, f"/api/admin/users/{viewer.id}/unban", {"reason": "appeal"}),
        (bob, f"/api/admin/partners/{host.id}/suspend", {"kind": "host", "reason": "fakes"}),
    ]
    for actor, path, body in steps:
        done = await client.post(path, json=body, headers=actor.headers)
        assert done.status_code == 200, done.text

    async def actions(query: str) -> list[str]:
        response = await client.get(f"/api/admin/audit{query}", headers=alice.headers)
        assert response.status_code == 200, response.text
        return [e["action"] for e in response.json()["items"]]

    assert await actions("") == ["host.suspend", "user.unban", "user.ban"]
    assert await actions("?action=user.ban") == ["user.ban"]
    assert await actions("?action=user.") == ["user.unban", "user.ban"]
    assert await actions(f"?actorId={bob.id}") == ["host.suspend"]
    assert await actions(f"?targetKind=user&targetId={viewer.id}") == ["user.unban", "user.ban"]
    assert await actions("?targetKind=withdrawal") == []

    first = (await client.get("/api/admin/audit?limit=2", headers=alice.headers)).json()
    assert [e["action"] for e in first["items"]] == ["host.suspend", "user.unban"]
    assert first["items"][0]["actorName"] == "bob" and first["items"][0]["createdAt"]
    rest = await actions(f"?limit=2&beforeId={first['nextBeforeId']}")
    assert rest == ["user.ban"]
    last = (
        await client.get(
            f"/api/admin/audit?limit=2&beforeId={first['nextBeforeId']}", headers=alice.headers
        )
    ).json()
    assert last["nextBeforeId"] is None
    too_many = await client.get("/api/admin/audit?limit=1000", headers=alice.headers)
    assert too_many.status_code == 400
