"""Guessing passwords is throttled per account and per client address, from outside: clients bound
to different loopback addresses (127.0.0.x) are different addresses to the server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from livecommerce.domains.accounts import throttle
from tests.support import problem_code

PASSWORD = "correct-horse-1"


@asynccontextmanager
async def client_at(live, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=live.url, transport=transport, timeout=30) as http:
        yield http


async def _login(http: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await http.post("/api/auth/login", json={"username": username, "password": password})


async def _register(live, username: str) -> None:
    async with client_at(live, "127.0.0.1") as http:
        response = await http.post(
            "/api/auth/register", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text


async def test_one_client_guessing_one_account_gets_five_tries_then_429_with_retry_after(
    live,
) -> None:
    await _register(live, "victim")
    async with client_at(live, "127.0.0.2") as attacker:
        answers = [(await _login(attacker, "victim", f"guess-{n}xx")).status_code for n in range(8)]
        refused = await _login(attacker, "victim", PASSWORD)
    assert answers == [401] * throttle.PAIR.attempts + [429] * (8 - throttle.PAIR.attempts)
    # Past the limit even the right password is refused: the throttle gives nothing away.
    assert (refused.status_code, problem_code(refused)) == (429, "login_throttled")
    assert 0 < int(refused.headers["Retry-After"]) <= throttle.PAIR.seconds
    async with client_at(live, "127.0.0.1") as owner:
        assert (await _login(owner, "victim", PASSWORD)).status_code == 200


async def test_one_client_spraying_many_accounts_is_stopped_at_the_address_limit(live) -> None:
    async with client_at(live, "127.0.0.3") as sprayer:
        answers = [
            (await _login(sprayer, f"nobody{n}", "password1")).status_code
            for n in range(throttle.ADDRESS.attempts + 3)
        ]
    assert answers == [401] * throttle.ADDRESS.attempts + [429] * 3


async def test_a_botnet_on_one_account_does_not_lock_out_its_owner(live) -> None:
    await _register(live, "owner")
    async with client_at(live, "127.0.0.1") as owner:
        assert (await _login(owner, "owner", PASSWORD)).status_code == 200  # a known address

    async def bot(n: int) -> list[int]:
        async with client_at(live, f"127.0.1.{n}") as http:
            return [(await _login(http, "owner", f"guess-{n}-{k}")).status_code for k in range(2)]

    tries = await asyncio.gather(*(bot(n) for n in range(1, throttle.ACCOUNT.attempts // 2 + 2)))
    answers = [status for statuses in tries for status in statuses]
    assert answers.count(401) == throttle.ACCOUNT.attempts  # the account window filled, then 429
    assert set(answers) == {401, 429}
    async with client_at(live, "127.0.2.1") as stranger:
        from_new_address = await _login(stranger, "owner", PASSWORD)
    assert from_new_address.status_code == 429
    assert int(from_new_address.headers["Retry-After"]) <= throttle.ACCOUNT.seconds
    async with client_at(live, "127.0.0.1") as owner:
        assert (await _login(owner, "owner", PASSWORD)).status_code == 200
