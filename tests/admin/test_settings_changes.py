"""Each change of the settings is an operator action `settings.update` naming only the fields it
changed (before and after), committed with the change; a PUT that changes nothing is none; a
refused change writes nothing and names the field it refuses."""

from __future__ import annotations

import httpx

from tests.admin.money_helpers import actions
from tests.support import problem_code


async def test_a_change_is_audited_with_only_the_changed_fields(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    put = await client.put(
        "/api/admin/settings",
        json={"withdrawalMin": 500, "withdrawalFeeBp": 0, "levels": 2},
        headers=admin.headers,
    )
    assert put.status_code == 200, put.text
    same = await client.put("/api/admin/settings", json={"levels": 2}, headers=admin.headers)
    assert same.status_code == 200
    second = await client.put(
        "/api/admin/settings",
        json={"bindingExpiryDays": None, "levels": 1, "levelRatesBp": [800]},
        headers=admin.headers,
    )
    assert second.status_code == 200, second.text
    rows = await actions("settings.")
    assert [(r["action"], r["actor_id"], r["target_kind"]) for r in rows] == [
        ("settings.update", admin.id, "settings")
    ] * 2
    assert (rows[0]["before"], rows[0]["after"]) == ({"withdrawalMin": 100}, {"withdrawalMin": 500})
    assert rows[1]["before"] == {"bindingExpiryDays": 30, "levelRatesBp": [1000, 500], "levels": 2}
    assert rows[1]["after"] == {"bindingExpiryDays": None, "levelRatesBp": [800], "levels": 1}
    changes = await client.get("/api/admin/settings/changes", headers=admin.headers)
    assert changes.status_code == 200, changes.text
    assert [(c["actorName"], c["after"]) for c in changes.json()] == [
        ("admin", rows[1]["after"]),
        ("admin", rows[0]["after"]),
    ]
    older = await client.get(
        f"/api/admin/settings/changes?beforeId={changes.json()[0]['id']}", headers=admin.headers
    )
    assert [c["id"] for c in older.json()] == [changes.json()[1]["id"]]


async def test_a_refused_change_names_its_field_and_audits_nothing(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("admin", ["admin"])
    wrong_type = await client.put("/api/admin/settings", json={"levels": 7}, headers=admin.headers)
    assert (wrong_type.status_code, wrong_type.json()["field"]) == (400, "levels")
    mismatch = await client.put(
        "/api/admin/settings", json={"levels": 3, "levelRatesBp": [100]}, headers=admin.headers
    )
    assert (mismatch.status_code, problem_code(mismatch), mismatch.json()["field"]) == (
        422,
        "invalid_settings",
        "levelRatesBp",
    )
    assert await actions("settings.") == []
