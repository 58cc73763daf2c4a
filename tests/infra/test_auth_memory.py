"""The process's memory of accepted tokens (infra/auth_memory.py) never outlives a logout, a
ban or a role change: the process that makes the change forgets before it answers, the others
when its announcement reaches them, and a lost subscription forgets everything."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from redis.asyncio import Redis

from livecommerce.infra import auth_memory
from livecommerce.infra.auth import Actor
from livecommerce.settings import Settings
from tests.live.test_two_processes import second_api
from tests.promotions.test_banned import room_with_promotions
from tests.support import TestUser, make_user, problem_code


class _Token:
    """Stands for a verified token object: the memory only compares identities."""


def _listening() -> auth_memory.AuthMemory:
    memory = auth_memory.AuthMemory()
    memory.probe = "probe:ours"
    memory.heard("probe:ours")
    return memory


def test_nothing_is_remembered_before_the_listener_hears_its_own_probe_or_after_it_stops() -> None:
    memory, token, actor = auth_memory.AuthMemory(), _Token(), Actor(id=7, username="ann")
    memory.probe = "probe:ours"
    memory.remember("jti", token, actor, memory.ticket())
    memory.heard("probe:someone-elses")
    memory.remember("jti", token, actor, memory.ticket())
    assert memory.recall("jti", token, 7) is None
    memory.heard("probe:ours")
    memory.remember("jti", token, actor, memory.ticket())
    assert memory.recall("jti", token, 7) is actor
    memory.stop()  # the subscription ended: a change may go unheard
    assert memory.recall("jti", token, 7) is None
    memory.remember("jti", token, actor, memory.ticket())
    assert memory.recall("jti", token, 7) is None


def test_an_answer_read_before_a_change_is_not_kept_after_it() -> None:
    memory, token, actor = _listening(), _Token(), Actor(id=7, username="ann")
    ticket = memory.ticket()  # Redis is asked...
    memory.heard("7")  # ...the user's logout is announced meanwhile...
    memory.remember("jti", token, actor, ticket)  # ...and the stale answer arrives
    assert memory.recall("jti", token, 7) is None
    memory.remember("jti", token, actor, memory.ticket())
    assert memory.recall("jti", token, 7) is actor
    memory.heard("8")  # someone else's change leaves it alone
    assert memory.recall("jti", token, 7) is actor
    memory.heard("7")
    assert memory.recall("jti", token, 7) is None


def test_another_token_with_the_same_id_is_not_taken_for_the_remembered_one() -> None:
    memory, token, actor = _listening(), _Token(), Actor(id=7, username="ann")
    memory.remember("jti", token, actor, memory.ticket())
    assert memory.recall("jti", _Token(), 7) is None
    assert memory.recall("jti", token, 8) is None


async def _remembered(app: Any, user: TestUser, client: httpx.AsyncClient) -> None:
    """The user's token is in the memory of `app` (its listener is subscribed)."""
    memory = auth_memory.memory_of(app.state.redis)
    assert memory is not None
    async with asyncio.timeout(10):
        while not memory.listening:  # noqa: ASYNC110 - the listener's subscription
            await asyncio.sleep(0.02)
        # Only a complete answer is kept: the ban mirror is built in the background at startup.
        while not any(a.actor.id == user.id for a in memory.answers.values()):
            assert (await client.get("/api/me", headers=user.headers)).status_code == 200
            await asyncio.sleep(0.02)


async def _refused_soon(client: httpx.AsyncClient, user: TestUser) -> None:
    """Refused well within MAX_AGE: the change was heard, not merely aged out."""
    assert auth_memory.MAX_AGE >= 10
    async with asyncio.timeout(5):
        while True:
            if (await client.get("/api/me", headers=user.headers)).status_code == 401:
                return
            await asyncio.sleep(0.05)


async def test_a_remembered_token_is_refused_by_every_request_after_its_logout_answers(
    client: httpx.AsyncClient, app
) -> None:
    user = await make_user(app, "lou")
    await _remembered(app, user, client)

    async def me() -> int:
        return (await client.get("/api/me", headers=user.headers)).status_code

    during = await asyncio.gather(
        *[me() for _ in range(40)],
        client.post("/api/auth/logout", headers=user.headers),
        *[me() for _ in range(40)],
    )
    logout = during[40]
    assert isinstance(logout, httpx.Response) and logout.status_code == 204
    client.cookies.clear()
    after = await asyncio.gather(*[me() for _ in range(40)])
    assert set(after) == {401}


async def test_a_change_whose_announcement_is_lost_with_the_subscription_is_not_missed(
    client: httpx.AsyncClient, app, migrated: Settings
) -> None:
    user = await make_user(app, "kim")
    await _remembered(app, user, client)
    redis = Redis.from_url(migrated.redis_url or "")
    try:
        # The listener's connection drops, and a revocation is written that nobody announces.
        await redis.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        await redis.set(f"auth:revoked:t{user.id}-kim", b"1", ex=600)
        await _refused_soon(client, user)
    finally:
        await redis.aclose()


async def test_a_platform_ban_stops_a_remembered_token_from_grabbing_at_once(
    client: httpx.AsyncClient, app, user_factory
) -> None:
    host, troll = await user_factory("host", ["host"]), await user_factory("troll")
    admin = await user_factory("root", ["admin"])
    _room_id, packet, _coupon = await room_with_promotions(client, host, parts=3)
    await _remembered(app, troll, client)
    banned = await client.post(
        f"/api/admin/users/{troll.id}/ban", json={"reason": "bots"}, headers=admin.headers
    )
    assert banned.status_code == 200, banned.text
    grab = await client.post(f"/api/red-packets/{packet['id']}/grab", headers=troll.headers)
    assert (grab.status_code, problem_code(grab)) == (401, "not_authenticated")


async def test_a_logout_and_a_ban_on_one_process_reach_a_token_remembered_on_another(
    client: httpx.AsyncClient, app, user_factory, migrated: Settings
) -> None:
    leaver, troll = await user_factory("leaver"), await user_factory("troll")
    admin = await user_factory("root", ["admin"])
    async with second_api(migrated) as other_url, httpx.AsyncClient(base_url=other_url) as other:
        for user in (leaver, troll):  # remembered there (its listener needs a moment to start)
            async with asyncio.timeout(10):
                while True:
                    if (await other.get("/api/me", headers=user.headers)).status_code == 200:
                        break
                    await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # past the other listener's probe: what it accepts, it keeps
        for user in (leaver, troll):
            assert (await other.get("/api/me", headers=user.headers)).status_code == 200
        assert (await client.post("/api/auth/logout", headers=leaver.headers)).status_code == 204
        client.cookies.clear()
        banned = await client.post(
            f"/api/admin/users/{troll.id}/ban", json={"reason": "bots"}, headers=admin.headers
        )
        assert banned.status_code == 200, banned.text
        await _refused_soon(other, leaver)
        await _refused_soon(other, troll)
