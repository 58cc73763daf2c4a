"""The operator's user list and user page: search, filters, paging, counts, standing and the
history of bans from the audit."""

from __future__ import annotations

import httpx

from livecommerce.infra import db
from tests.support import create_product, create_room, place_order


async def test_users_are_found_by_name_display_name_or_id_and_filtered_by_role_and_status(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("root", ["admin"])
    host = await user_factory("teahouse", ["host"])
    dist = await user_factory("sharer", ["distributor"])
    buyer = await user_factory("buyer_50%")
    async with db.connection() as conn:
        await conn.execute("UPDATE users SET display_name = '小明' WHERE id = $1", buyer.id)
    product = await create_product(client, host)
    await create_room(client, host)
    for _ in range(2):
        assert (await place_order(client, buyer, product["skus"][0]["id"])).status_code == 201

    async def ids(query: str) -> list[int]:
        response = await client.get(f"/api/admin/users{query}", headers=admin.headers)
        assert response.status_code == 200, response.text
        return [u["id"] for u in response.json()["items"]]

    assert await ids("") == [buyer.id, dist.id, host.id, admin.id]
    assert await ids("?q=TEA") == [host.id]
    assert await ids("?q=小明") == [buyer.id]
    assert await ids("?q=50%25") == [buyer.id]  # % is a character, not a wildcard
    assert await ids("?q=_") == [buyer.id]
    assert await ids(f"?q={dist.id}") == [dist.id]
    assert await ids("?role=host") == [host.id]
    assert await ids("?role=viewer") == [buyer.id]
    assert await ids("?role=admin") == [admin.id]
    first = (await client.get("/api/admin/users?limit=2", headers=admin.headers)).json()
    assert [u["id"] for u in first["items"]] == [buyer.id, dist.id]
    assert await ids(f"?limit=2&cursor={first['nextCursor']}") == [host.id, admin.id]

    listed = (await client.get("/api/admin/users", headers=admin.headers)).json()["items"]
    by_id = {u["id"]: u for u in listed}
    assert (by_id[buyer.id]["orders"], by_id[buyer.id]["rooms"]) == (2, 0)
    assert (by_id[host.id]["orders"], by_id[host.id]["rooms"]) == (0, 1)
    assert by_id[host.id]["roles"] == ["host"] and by_id[host.id]["status"] == "active"

    banned = await client.post(
        f"/api/admin/users/{buyer.id}/ban", json={"reason": "fraud"}, headers=admin.headers
    )
    assert banned.status_code == 200
    assert await ids("?status=banned") == [buyer.id]
    assert await ids("?status=active") == [dist.id, host.id, admin.id]
    bad = await client.get("/api/admin/users?role=owner", headers=admin.headers)
    assert bad.status_code == 400


async def test_a_user_page_shows_standing_applications_and_the_ban_history(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("root", ["admin"])
    person = await user_factory("both", ["host"])
    became = await client.post("/api/distributors", json={}, headers=person.headers)
    assert became.status_code == 201, became.text
    await create_room(client, person)
    for path, body in (
        (f"/api/admin/users/{person.id}/ban", {"reason": "spam"}),
        (f"/api/admin/users/{person.id}/unban", {"reason": "sorry"}),
        (f"/api/admin/partners/{person.id}/suspend", {"kind": "host", "reason": "fake goods"}),
    ):
        done = await client.post(path, json=body, headers=admin.headers)
        assert done.status_code == 200, done.text

    page = await client.get(f"/api/admin/users/{person.id}", headers=admin.headers)
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["user"]["username"] == "both" and body["user"]["status"] == "active"
    assert body["user"]["roles"] == ["distributor", "host"]
    assert body["bannedAt"] is not None
    assert body["distributor"]["code"] == became.json()["code"]
    assert body["distributor"]["active"] is True and body["distributor"]["suspended"] is False
    assert body["host"] == {"rooms": 1, "liveNow": 0, "suspended": True}
    assert body["ordersLast30Days"] == 0
    assert [a["role"] for a in body["applications"]] == ["distributor"]
    assert [(h["action"], h["reason"]) for h in body["history"]] == [
        ("host.suspend", "fake goods"),
        ("user.unban", "sorry"),
        ("user.ban", "spam"),
    ]
    missing = await client.get("/api/admin/users/9999", headers=admin.headers)
    assert missing.status_code == 404
