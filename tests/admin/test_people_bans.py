"""Platform bans: every token of the user refused at once, their room sockets closed, login
refused; an unban lets them back in (old tokens stay dead); audited with the action; the ban
holds when Redis lost its mirror or can't be reached."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import msgspec
import pytest
import websockets
from redis.asyncio import Redis

from livecommerce.infra import bans, db
from livecommerce.infra.embedded import free_port
from livecommerce.settings import Settings
from tests.live.conftest import joined, room_url, rooms_left  # noqa: F401 (fixtures)
from tests.live.test_two_processes import second_api
from tests.support import PASSWORD, create_room, go_live, make_user, problem_code, serving


async def _ban(client: httpx.AsyncClient, admin, user_id: int, **body) -> httpx.Response:
    return await client.post(
        f"/api/admin/users/{user_id}/ban",
        json={"reason": "spam in rooms", **body},
        headers=admin.headers,
    )


async def _login(client: httpx.AsyncClient, username: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})


async def test_a_ban_refuses_every_token_closes_the_room_socket_and_login_until_unbanned(
    client: httpx.AsyncClient,
    user_factory,
    room_url,  # noqa: F811
) -> None:
    admin = await user_factory("root", ["admin"])
    host = await user_factory("hostess", ["host"])
    viewer = await user_factory("troll")
    logged_in = await _login(client, "troll")  # a second token, from a real login
    assert logged_in.status_code == 200, logged_in.text
    second = {"Authorization": f"Bearer {logged_in.json()['token']}"}
    room = await create_room(client, host)
    await go_live(client, host, room["id"])

    async with joined(room_url(room["id"]), viewer) as (ws, snapshot):
        assert snapshot["payload"]["you"]["userId"] == viewer.id
        banned = await _ban(client, admin, viewer.id)
        assert banned.status_code == 200, banned.text
        assert banned.json()["user"]["status"] == "banned"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            async with asyncio.timeout(5):
                while True:
                    await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4003

    for headers in (viewer.headers, second):
        me = await client.get("/api/me", headers=headers)
        assert (me.status_code, problem_code(me)) == (401, "not_authenticated")
    refused = await _login(client, "troll")
    assert (refused.status_code, problem_code(refused)) == (403, "banned")
    assert refused.json()["scope"] == "platform"
    wrong = await client.post("/api/auth/login", json={"username": "troll", "password": "nope"})
    assert wrong.status_code == 401  # a stranger learns nothing of the ban

    lifted = await client.post(
        f"/api/admin/users/{viewer.id}/unban", json={"reason": "appealed"}, headers=admin.headers
    )
    assert lifted.status_code == 200 and lifted.json()["user"]["status"] == "active"
    again = await _login(client, "troll")
    assert again.status_code == 200, again.text
    fresh = await client.get(
        "/api/me", headers={"Authorization": f"Bearer {again.json()['token']}"}
    )
    assert fresh.status_code == 200
    for headers in (viewer.headers, second):  # tokens from before the ban stay dead
        assert (await client.get("/api/me", headers=headers)).status_code == 401

    audit = await client.get("/api/admin/audit?action=user.", headers=admin.headers)
    assert [
        (e["action"], e["targetId"], e["before"], e["after"], e["reason"], e["actorName"])
        for e in audit.json()["items"]
    ] == [
        ("user.unban", viewer.id, {"status": "banned", "until": None}, {"status": "active"},
         "appealed", "root"),
        ("user.ban", viewer.id, {"status": "active"}, {"status": "banned", "until": None},
         "spam in rooms", "root"),
    ]  # fmt: skip
    assert (await client.get("/api/me", headers=host.headers)).status_code == 200


async def test_a_ban_until_a_time_ends_by_itself(client: httpx.AsyncClient, user_factory) -> None:
    admin = await user_factory("root", ["admin"])
    viewer = await user_factory("brief")
    until = datetime.now(UTC) + timedelta(seconds=2)
    banned = await _ban(client, admin, viewer.id, until=until.isoformat())
    assert banned.status_code == 200 and banned.json()["user"]["bannedUntil"]
    assert (await _login(client, "brief")).status_code == 403
    await asyncio.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.2)
    assert (await _login(client, "brief")).status_code == 200
    assert (await client.get("/api/me", headers=viewer.headers)).status_code == 401


async def test_no_operator_bans_themselves_or_another_operator_and_a_reason_is_required(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("root", ["admin"])
    other = await user_factory("ops", ["admin"])
    viewer = await user_factory("vic")
    myself = await _ban(client, admin, admin.id)
    assert (myself.status_code, problem_code(myself)) == (409, "cannot_ban_self")
    colleague = await _ban(client, admin, other.id)
    assert (colleague.status_code, problem_code(colleague)) == (403, "cannot_ban_admin")
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        missing = await client.post(
            f"/api/admin/users/{viewer.id}/ban", json=body, headers=admin.headers
        )
        assert (missing.status_code, problem_code(missing)) == (400, "validation_error"), body
    past = await _ban(client, admin, viewer.id, until="2020-01-01T00:00:00Z")
    assert (past.status_code, problem_code(past)) == (400, "validation_error")
    nobody = await _ban(client, admin, 9999)
    assert nobody.status_code == 404
    not_banned = await client.post(
        f"/api/admin/users/{viewer.id}/unban", json={"reason": "x"}, headers=admin.headers
    )
    assert (not_banned.status_code, problem_code(not_banned)) == (409, "not_banned")
    assert (await _ban(client, admin, viewer.id)).status_code == 200
    twice = await _ban(client, admin, viewer.id)
    assert (twice.status_code, problem_code(twice)) == (409, "already_banned")
    async with db.connection() as conn:
        actions = await conn.fetch("SELECT action, target_id FROM operator_actions")
    assert [(a["action"], a["target_id"]) for a in actions] == [("user.ban", viewer.id)]


async def test_a_ban_that_fails_leaves_neither_the_ban_nor_its_audit_row(
    client: httpx.AsyncClient, user_factory
) -> None:
    admin = await user_factory("root", ["admin"])
    viewer = await user_factory("lucky")
    # The audit write fails (as PostgreSQL breaking a transaction would): the ban goes with it.
    async with db.connection() as conn:
        await conn.execute(
            "CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'no' USING ERRCODE = 'serialization_failure'; END $$;"
            " CREATE TRIGGER test_refuse_audit BEFORE INSERT ON operator_actions"
            " FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()"
        )
    try:
        failed = await _ban(client, admin, viewer.id)
    finally:
        async with db.connection() as conn:
            await conn.execute(
                "DROP TRIGGER test_refuse_audit ON operator_actions;"
                " DROP FUNCTION test_refuse_audit()"
            )
    assert (failed.status_code, problem_code(failed)) == (503, "busy")
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT banned_at FROM users WHERE id = $1", viewer.id) is None
        assert await conn.fetchval("SELECT count(*) FROM operator_actions") == 0
    assert (await client.get("/api/me", headers=viewer.headers)).status_code == 200


async def test_the_ban_holds_when_redis_lost_its_mirror(
    client: httpx.AsyncClient, user_factory, migrated: Settings
) -> None:
    admin = await user_factory("root", ["admin"])
    viewer = await user_factory("eve")
    assert (await _ban(client, admin, viewer.id)).status_code == 200
    redis = Redis.from_url(migrated.redis_url or "")
    try:
        await redis.flushdb()  # as a Redis restarted without its data
        assert (await client.get("/api/me", headers=viewer.headers)).status_code == 401
        assert (await client.get("/api/me", headers=admin.headers)).status_code == 200
        async with asyncio.timeout(5):  # and the mirror is rebuilt from PostgreSQL
            while await redis.exists(bans.KNOWN, bans.key(viewer.id)) != 2:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        await redis.aclose()
    assert (await client.get("/api/me", headers=viewer.headers)).status_code == 401


@pytest.fixture
async def without_redis(migrated: Settings):
    """The app with its Redis unreachable (nothing listens on the port), the same PostgreSQL."""
    from livecommerce.app import create_app

    gone = msgspec.structs.replace(migrated, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    async with serving(create_app(gone)) as server:
        yield server


async def test_while_redis_is_unreachable_postgresql_decides_and_nobody_else_is_logged_out(
    client: httpx.AsyncClient, user_factory, without_redis
) -> None:
    admin = await user_factory("root", ["admin"])
    viewer = await user_factory("mallory")
    bystander = await make_user(without_redis.app, "bystander")
    assert (await _ban(client, admin, viewer.id)).status_code == 200
    async with httpx.AsyncClient(base_url=without_redis.url, timeout=30) as cut_off:
        assert (await cut_off.get("/api/me", headers=viewer.headers)).status_code == 401
        assert (await cut_off.get("/api/me", headers=bystander.headers)).status_code == 200


async def test_a_ban_closes_the_users_sockets_on_another_api_process_too(
    client: httpx.AsyncClient, user_factory, migrated: Settings
) -> None:
    admin = await user_factory("root", ["admin"])
    host = await user_factory("hostess", ["host"])
    viewer = await user_factory("roamer")
    room = await create_room(client, host)
    await go_live(client, host, room["id"])
    async with second_api(migrated) as other:
        url = other.replace("http", "ws") + f"/ws/rooms/{room['id']}"
        async with joined(url, viewer) as (ws, _), joined(url, host) as (host_ws, _):
            assert (await _ban(client, admin, viewer.id)).status_code == 200
            with pytest.raises(websockets.ConnectionClosed) as closed:
                async with asyncio.timeout(10):
                    while True:
                        await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4003
            await host_ws.send('{"type": "ping"}')  # the host's socket there stays open
            assert json.loads(await asyncio.wait_for(host_ws.recv(), 5))
        async with httpx.AsyncClient(base_url=other) as there:
            assert (await there.get("/api/me", headers=viewer.headers)).status_code == 401
