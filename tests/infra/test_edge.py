"""The edge of every request, from outside: a page on another site can't act with the user's
cookie, bodies are JSON, malformed bodies are 400s, and every answer carries the security
headers."""

from __future__ import annotations

import httpx

from tests.support import problem_code

EVIL = "https://evil.example"


def _answer(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, problem_code(response) if response.status_code >= 400 else ""


async def _rooms_of(client: httpx.AsyncClient, host) -> int:
    response = await client.get("/api/rooms", params={"hostId": host.id})
    return len(response.json()["items"])


async def test_a_cookie_change_from_another_site_is_refused_and_writes_nothing(
    live, client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    cookie = {"cookie": f"lc_token={host.token}"}
    own = live.url
    answers = {}
    async with httpx.AsyncClient(base_url=live.url) as browser:
        for name, headers in {
            "foreign origin": {**cookie, "origin": EVIL},
            "foreign referer": {**cookie, "referer": f"{EVIL}/form.html"},
            "opaque origin": {**cookie, "origin": "null"},
            "another port": {**cookie, "origin": "http://127.0.0.1:1"},
            "cross-site, origin withheld": {**cookie, "sec-fetch-site": "cross-site"},
            "same-site other port": {
                **cookie,
                "sec-fetch-site": "same-site",
                "origin": "http://127.0.0.1:1",
            },
            "no browser at all": cookie,
            "own origin": {**cookie, "origin": own},
            "same-origin fetch": {**cookie, "sec-fetch-site": "same-origin", "origin": own},
            "own referer": {**cookie, "referer": f"{own}/host"},
        }.items():
            response = await browser.post("/api/rooms", json={"title": name}, headers=headers)
            answers[name] = _answer(response)
    refused = (403, "origin_not_allowed")
    assert answers == {
        "foreign origin": refused,
        "foreign referer": refused,
        "opaque origin": refused,
        "another port": refused,
        "cross-site, origin withheld": refused,
        "same-site other port": refused,
        "no browser at all": (201, ""),
        "own origin": (201, ""),
        "same-origin fetch": (201, ""),
        "own referer": (201, ""),
    }
    # Only those from the site itself, and the one no browser sent (no page could have).
    assert await _rooms_of(client, host) == 4


async def test_a_bearer_token_needs_no_origin_and_a_public_url_origin_is_allowed(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    with_token = await client.post(
        "/api/rooms", json={"title": "api client"}, headers={**host.headers, "origin": EVIL}
    )
    assert with_token.status_code == 201  # no ambient credential: nothing to forge
    login_from_evil = await client.post(
        "/api/auth/login",
        json={"username": "host", "password": "whatever1"},
        headers={"origin": EVIL},
    )
    assert (login_from_evil.status_code, problem_code(login_from_evil)) == (
        403,
        "origin_not_allowed",
    )


async def test_bodies_that_are_not_json_are_refused_before_anything_is_written(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    answers = []
    not_json = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "")
    for content_type in not_json:
        response = await client.post(
            "/api/rooms",
            content=b'{"title": "sneaky"}',
            headers={**host.headers, "content-type": content_type},
        )
        answers.append(_answer(response))
    assert answers == [(415, "unsupported_media_type")] * 4
    json_variants = [
        await client.post(
            "/api/rooms",
            content=b'{"title": "fine"}',
            headers={**host.headers, "content-type": content_type},
        )
        for content_type in ("application/json", "application/json; charset=utf-8")
    ]
    assert [r.status_code for r in json_variants] == [201, 201]
    assert await _rooms_of(client, host) == 2


async def test_deep_nesting_and_bad_utf8_are_400_problems_not_500(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    bodies = {
        "arrays 1,500 deep": b"[" * 1500 + b"]" * 1500,
        "objects 1,500 deep": b'{"a":' * 1500 + b"1" + b"}" * 1500,
        "title not UTF-8": b'{"title": "\xff\xfe"}',
        "key not UTF-8": b'{"ti\xc3tle": "x"}',
        "truncated": b'{"title": "x',
    }
    answers = {}
    for name, body in bodies.items():
        response = await client.post(
            "/api/rooms",
            content=body,
            headers={**host.headers, "content-type": "application/json"},
        )
        answers[name] = _answer(response)
    assert answers == dict.fromkeys(bodies, (400, "validation_error"))
    assert await _rooms_of(client, host) == 0


async def test_every_answer_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/", "/login", "/api/products", "/static/js/api.js", "/nowhere"):
        headers = (await client.get(path)).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy, path
        assert "frame-ancestors 'self'" in policy, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert headers["x-frame-options"] == "SAMEORIGIN", path
    refused = await client.post("/api/rooms", content=b"x", headers={"content-type": "text/plain"})
    assert refused.headers["x-content-type-options"] == "nosniff"
