from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from livecommerce.infra.auth import build_jwt_auth
from tests.support import problem_code


async def register(
    client: httpx.AsyncClient, username: str, password: str = "s3cret-password"
) -> httpx.Response:
    return await client.post(
        "/api/auth/register", json={"username": username, "password": password}
    )


async def test_register_logs_the_new_viewer_in_by_cookie_and_token(
    client: httpx.AsyncClient,
) -> None:
    response = await register(client, "Alice")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"]["username"] == "alice" and body["user"]["roles"] == []
    assert "lc_token" in response.cookies
    assert "httponly" in response.headers["set-cookie"].lower()
    # the cookie alone authenticates (websockets rely on it)
    me = await client.get("/api/me")
    assert me.status_code == 200 and me.json()["username"] == "alice"
    # and so does the header, without the cookie
    async with httpx.AsyncClient(base_url=str(client.base_url)) as other:
        me = await other.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
        assert me.status_code == 200 and me.json()["id"] == body["user"]["id"]


async def test_login_with_the_wrong_password_or_an_unknown_user_is_401_invalid_credentials(
    client: httpx.AsyncClient,
) -> None:
    await register(client, "bob", "right-password")
    wrong = await client.post(
        "/api/auth/login", json={"username": "bob", "password": "wrong-password"}
    )
    unknown = await client.post(
        "/api/auth/login", json={"username": "nobody", "password": "whatever1"}
    )
    right = await client.post(
        "/api/auth/login", json={"username": "BOB", "password": "right-password"}
    )
    assert (wrong.status_code, problem_code(wrong)) == (401, "invalid_credentials")
    assert (unknown.status_code, problem_code(unknown)) == (401, "invalid_credentials")
    assert wrong.json()["detail"] == unknown.json()["detail"]  # no hint which one was wrong
    assert right.status_code == 200


async def test_a_username_is_taken_once_even_by_concurrent_registrations(
    client: httpx.AsyncClient,
) -> None:
    responses = await asyncio.gather(*(register(client, "carol") for _ in range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7
    assert {problem_code(r) for r in responses if r.status_code == 409} == {"username_taken"}


async def test_malformed_bodies_are_400_validation_error_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.post("/api/auth/register", json={"username": "dave"})
    short = await client.post("/api/auth/register", json={"username": "dave", "password": "short"})
    bad_name = await client.post(
        "/api/auth/register", json={"username": "d a v e!", "password": "long-enough-1"}
    )
    not_json = await client.post(
        "/api/auth/register", content=b"{not json", headers={"content-type": "application/json"}
    )
    for response in (missing, short, bad_name, not_json):
        assert response.status_code == 400, response.text
        assert problem_code(response) == "validation_error"
    assert "password" in missing.json()["detail"]
    assert "password" in short.json()["detail"]
    assert "username" in bad_name.json()["detail"]


async def test_a_role_in_the_body_is_refused_not_granted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"username": "mallory", "password": "long-enough-1", "roles": ["admin"]},
    )
    assert response.status_code == 400 and problem_code(response) == "validation_error"
    assert "roles" in response.json()["detail"]
    login = await client.post(
        "/api/auth/login", json={"username": "mallory", "password": "long-enough-1"}
    )
    assert login.status_code == 401  # nothing was half-written


async def test_logout_revokes_the_token(client: httpx.AsyncClient) -> None:
    token = (await register(client, "erin")).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204
    client.cookies.clear()
    after = await client.get("/api/me", headers=headers)
    assert after.status_code == 401 and problem_code(after) == "not_authenticated"


async def test_a_token_that_expires_after_its_first_use_is_refused_then(
    client: httpx.AsyncClient, settings
) -> None:
    # The middleware keeps verified tokens (infra/auth.py): a kept one must still expire.
    user = (await register(client, "fay")).json()["user"]
    client.cookies.clear()
    token = build_jwt_auth(settings).create_token(
        identifier=str(user["id"]),
        token_expiration=timedelta(seconds=2),
        token_extras={"roles": [], "username": "fay"},
    )
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/me", headers=headers)).status_code == 200
    await asyncio.sleep(2.1)
    after = await client.get("/api/me", headers=headers)
    assert after.status_code == 401 and problem_code(after) == "not_authenticated"


async def test_me_without_credentials_or_with_a_forged_token_is_401(
    client: httpx.AsyncClient,
) -> None:
    anonymous = await client.get("/api/me")
    forged = await client.get(
        "/api/me", headers={"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.bad"}
    )
    assert (anonymous.status_code, problem_code(anonymous)) == (401, "not_authenticated")
    assert (forged.status_code, problem_code(forged)) == (401, "not_authenticated")


async def test_an_oversized_body_is_413_body_too_large(client: httpx.AsyncClient) -> None:
    huge = b'{"username": "x", "password": "' + b"a" * 2_000_000 + b'"}'
    response = await client.post(
        "/api/auth/register", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and problem_code(response) == "body_too_large"
