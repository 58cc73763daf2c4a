"""Tracked and unsubscribe links are public: any bytes in the path get a page or a 404, never a
server error (schemathesis found a 500 on non-ASCII, which hmac.compare_digest refuses)."""

from __future__ import annotations

import httpx
import pytest

from livecommerce.domains.outreach import links

HOSTILE = ["%15.%C2%AD%F0%AD%BC%85%C3%8E", "é.é", "1-inbox-0.ß", "." * 5, "a" * 300]


@pytest.mark.parametrize("token", HOSTILE)
async def test_a_hostile_token_is_refused_without_a_server_error(
    client: httpx.AsyncClient, token: str
) -> None:
    for method, path in (("GET", f"/u/{token}"), ("POST", f"/u/{token}"), ("GET", f"/o/{token}")):
        response = await client.request(method, path)
        assert response.status_code < 500, (method, path, response.status_code)


def test_non_ascii_tokens_read_as_none_and_ours_still_read() -> None:
    assert links.read_unsubscribe_token("1-inbox-0.ß") is None
    assert links.read_track_token("d1.é") is None
    assert links.read_track_token(links.track_token(7)) == 7
    assert links.read_unsubscribe_token(links.unsubscribe_token(3, "email", 5)) == (3, "email", 5)
