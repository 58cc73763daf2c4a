"""The beacon takes a page's events and nothing made up: hostile or malformed batches are
refused whole as problem details (4xx, never 5xx), and what it keeps is the server's idea of
who, where and when."""

from __future__ import annotations

import pytest

from livecommerce.domains.distribution import bindings
from livecommerce.realtime import guests
from tests.analytics.conftest import stored
from tests.distribution.helpers import chain, share, visit
from tests.support import create_product, create_room, go_live, problem_code

BAD_BATCHES = {
    "not a list": {"events": {"kind": "share"}},
    "empty": {"events": []},
    "51 events": {"events": [{"kind": "share", "roomId": 1}] * 51},
    "a kind only the server records": {"events": [{"kind": "paid", "roomId": 1}]},
    "an unknown kind": {"events": [{"kind": "buy_everything", "roomId": 1}]},
    "the client's host": {"events": [{"kind": "share", "roomId": 1, "hostId": 2}]},
    "a made-up user": {"events": [{"kind": "share", "roomId": 1, "userId": 7}]},
    "a huge id": {"events": [{"kind": "share", "roomId": 2**63}]},
    "a negative id": {"events": [{"kind": "share", "productId": -1}]},
    "an id as text": {"events": [{"kind": "share", "roomId": "1; DROP TABLE"}]},
    "an age of a day": {"events": [{"kind": "share", "roomId": 1, "ageMs": 86_400_000}]},
    "an unknown channel": {"events": [{"kind": "share", "roomId": 1, "channel": "x" * 300}]},
    "neither room nor product": {"events": [{"kind": "share"}]},
    "nested deep": {"events": [{"kind": "share", "roomId": 1, "x": [[[[[[[[[[1]]]]]]]]]]}]},
}


@pytest.mark.parametrize("name", sorted(BAD_BATCHES))
async def test_a_hostile_batch_is_refused_whole_with_problem_details(
    client, user_factory, name
) -> None:
    host = await user_factory("host", ["host"])
    await create_room(client, host)
    response = await client.post("/api/events", json=BAD_BATCHES[name])
    assert 400 <= response.status_code < 500, response.text
    assert problem_code(response)
    assert await stored() == []


async def test_unknown_ids_are_404_and_mixed_hosts_422(client, user_factory) -> None:
    one, two = await user_factory("one", ["host"]), await user_factory("two", ["host"])
    room = await create_room(client, one)
    other = await create_product(client, two)
    missing = await client.post(
        "/api/events",
        json={
            "events": [{"kind": "share", "roomId": room["id"]}, {"kind": "share", "roomId": 999}]
        },
    )
    assert missing.status_code == 404 and problem_code(missing) == "not_found"
    mixed = await client.post(
        "/api/events",
        json={"events": [{"kind": "sheet_add", "roomId": room["id"], "productId": other["id"]}]},
    )
    assert mixed.status_code == 422 and problem_code(mixed) == "event_target_mismatch"
    assert await stored() == []


async def test_the_body_must_be_json(client) -> None:
    response = await client.post(
        "/api/events", content=b"kind=share", headers={"content-type": "text/plain"}
    )
    assert 400 <= response.status_code < 500 and problem_code(response)


async def test_a_viewer_past_its_rate_is_429_and_another_is_not(client, user_factory, live) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    signer = guests.GuestIds(live.app.state.settings.secret_key)
    noisy, quiet = signer.issue(), signer.issue()
    body = {"events": [{"kind": "bag_open", "roomId": room["id"]}]}
    codes = [
        (await client.post("/api/events", json=body, cookies={guests.COOKIE: noisy})).status_code
        for _ in range(40)
    ]
    assert codes[:30] == [202] * 30 and 429 in codes[30:]
    calm = await client.post("/api/events", json=body, cookies={guests.COOKIE: quiet})
    assert calm.status_code == 202


async def test_what_is_kept_is_the_servers_view_of_who_where_and_when(
    client, user_factory, live
) -> None:
    host, viewer = await user_factory("host", ["host"]), await user_factory("viewer")
    room = await create_room(client, host)
    product = await create_product(client, host)
    session = await go_live(client, host, room["id"])
    response = await client.post(
        "/api/events",
        json={
            "events": [
                {"kind": "sheet_add", "roomId": room["id"], "productId": product["id"]},
                {"kind": "checkout_start", "roomId": room["id"], "ageMs": 2000},
            ]
        },
        headers={**viewer.headers, "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"},
    )
    assert response.status_code == 202 and response.json() == {"accepted": 2}
    forged = guests.GuestIds("another secret entirely, 32 chars+").issue()
    anonymous = await client.post(
        "/api/events",
        json={"events": [{"kind": "share", "productId": product["id"]}]},
        cookies={guests.COOKIE: forged},
    )
    assert anonymous.status_code == 202
    rows = await stored()
    by_kind = {r["kind"]: r for r in rows}
    assert {
        k: (r["user_id"], r["host_id"], r["session_id"], r["device"])
        for k, r in by_kind.items()
        if k != "share"
    } == {
        "sheet_add": (viewer.id, host.id, session["id"], "ios"),
        "checkout_start": (viewer.id, host.id, session["id"], "ios"),
    }
    assert by_kind["checkout_start"]["occurred_at"] < by_kind["sheet_add"]["occurred_at"]
    # A guest id the server did not sign is nobody: kept, but followed by no funnel.
    assert (by_kind["share"]["user_id"], by_kind["share"]["guest_id"]) == (None, None)


async def test_page_events_name_the_distributor_who_brought_the_viewer(
    client, user_factory
) -> None:
    """A bound buyer's events, and a guest's who followed a share link, carry the distributor
    (so their page events count in that distributor's funnel); a forged link cookie names no one,
    and neither does a viewer nobody brought."""
    host = await user_factory("host", ["host"])
    product = await create_product(client, host)
    [(seller, _)] = await chain(client, user_factory, ["seller"])
    code = (await share(client, seller, product["id"]))["code"]
    bound, alone = await user_factory("bound"), await user_factory("alone")
    await visit(client, code, bound)
    client.cookies.clear()
    guest_visit = await visit(client, code)
    ref_cookie = guest_visit.cookies.get(bindings.COOKIE)
    assert ref_cookie
    client.cookies.clear()  # each call below says who it is
    event = {"events": [{"kind": "product_view", "productId": product["id"]}]}
    for headers, cookies in (
        (bound.headers, {}),
        (alone.headers, {}),
        ({}, {bindings.COOKIE: ref_cookie}),
        ({}, {bindings.COOKIE: f"{code}.1.forged"}),
    ):
        sent = await client.post("/api/events", json=event, headers=headers, cookies=cookies)
        assert sent.status_code == 202, sent.text
    rows = await stored(
        "SELECT user_id, distributor_id FROM behaviour_events WHERE kind = 'product_view'"
    )
    by_user = [(r["user_id"], r["distributor_id"]) for r in rows]
    assert sorted(by_user, key=str) == sorted(
        [(bound.id, seller.id), (alone.id, None), (None, seller.id), (None, None)], key=str
    )
