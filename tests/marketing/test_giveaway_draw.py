"""Giveaways end to end over real websockets: entry by comment, the commit–reveal draw (run again,
and at once, it gives the same winners; anyone can recompute them), bans, claims, the cap."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator

import pytest

from livecommerce.domains.marketing import giveaway_room, giveaway_rules
from livecommerce.tools import verify_giveaway
from tests.live.conftest import event_of, joined
from tests.live.conftest import room_url as room_url  # fixtures of the room tests
from tests.live.conftest import rooms_left as rooms_left
from tests.marketing.giveaway_support import (
    claims_due,
    draw,
    end_now,
    live_room,
    room_coupon,
    start,
)
from tests.promotions.support import balance, red_packet_escrow
from tests.support import ledger_state, problem_code


@pytest.fixture(autouse=True)
def fresh_caches() -> AsyncIterator[None] | None:
    giveaway_room.forget_all()  # room and giveaway ids start again at 1 in every test
    return None


async def chat(ws, text: str) -> None:
    await ws.send(json.dumps({"type": "chat", "text": text}))


async def comment_and_wait(ws, viewer_id: int, text: str) -> None:
    """Send a line and wait until it comes back in a tick: the chat hook ran before it went out."""
    await chat(ws, text)
    await event_of(ws, "chat", text=text, userId=viewer_id)


async def test_commenting_the_keyword_enters_and_the_draw_is_the_same_every_time(
    client, user_factory, room_url
) -> None:
    host = await user_factory("host", ["host"])
    viewers = [await user_factory(f"viewer{i}") for i in range(5)]
    room_id = await live_room(client, host)
    started = await start(client, host, room_id, keyword="福袋来了", winners=2, amount=150)
    assert started.status_code == 201, started.text
    giveaway = started.json()
    assert giveaway["seed"] is None and len(giveaway["seedHash"]) == 64
    assert await red_packet_escrow() == 300  # both prizes held from the host's wallet

    async with joined(room_url(room_id), viewers[0]) as (ws0, snap):
        assert snap["payload"]["giveaway"]["id"] == giveaway["id"]
        assert snap["payload"]["giveaway"]["keyword"] == "福袋来了"
        sockets = [ws0]
        async with (
            joined(room_url(room_id), viewers[1]) as (ws1, _),
            joined(room_url(room_id), viewers[2]) as (ws2, _),
            joined(room_url(room_id), viewers[3]) as (ws3, _),
            joined(room_url(room_id), viewers[4]) as (ws4, _),
        ):
            sockets += [ws1, ws2, ws3, ws4]
            # Four say the keyword (inside a longer line, at the same moment); one chats only.
            await asyncio.gather(
                *(
                    comment_and_wait(ws, v.id, f"我要 福袋来了 {i}")
                    for i, (ws, v) in enumerate(zip(sockets[:4], viewers[:4], strict=True))
                ),
                comment_and_wait(sockets[4], viewers[4].id, "hello"),
            )
            standings = [
                (await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=v.headers)).json()
                for v in viewers
            ]
            assert [s["entered"] for s in standings] == [True, True, True, True, False]
            assert standings[4]["commented"] is False

            await end_now(giveaway["id"])
            # The worker's job, twice at once and once more later: one draw.
            first = await asyncio.gather(draw(giveaway["id"]), draw(giveaway["id"]))
            assert sorted(first) == [False, True]
            assert await draw(giveaway["id"]) is False
            announced = await event_of(ws0, "giveaway_draw", within=5)

    drawn = (await client.get(f"/api/giveaways/{giveaway['id']}")).json()
    assert drawn["status"] == "drawn"
    assert hashlib.sha256(bytes.fromhex(drawn["seed"])).hexdigest() == giveaway["seedHash"]
    assert announced["seed"] == drawn["seed"] and announced["priority"] is True
    assert [w["token"] for w in announced["winners"]] == [w["token"] for w in drawn["winners"]]
    assert len(drawn["winners"]) == 2 and drawn["entries"] == 4

    published = (await client.get(f"/api/giveaways/{giveaway['id']}/entries")).json()
    assert len(published["entries"]) == 4
    assert all("userId" not in e and len(e["token"]) == 16 for e in published["entries"])
    # Anyone recomputes the winners from the seed and the list, in any order of the list.
    problems, recomputed = giveaway_rules.verify(published)
    assert problems == []
    assert [r["token"] for r in recomputed] == [w["token"] for w in drawn["winners"]]
    shuffled = {**published, "entries": list(reversed(published["entries"]))}
    assert giveaway_rules.verify(shuffled)[0] == []
    # A forged winner is caught.
    forged = {**published, "winners": [{**published["winners"][0], "token": "0" * 16}]}
    assert giveaway_rules.verify(forged)[0] != []


async def test_the_published_script_checks_a_draw_from_its_url(client, user_factory, live) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    room_id = await live_room(client, host)
    giveaway = (await start(client, host, room_id, winners=1)).json()
    standing = await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
    assert standing.json()["entered"] is True  # no tasks: asking is entering
    await end_now(giveaway["id"])
    assert await draw(giveaway["id"])
    url = f"{live.url}/api/giveaways/{giveaway['id']}/entries"
    # The script is a blocking standard-library program: run it off the event loop.
    assert await asyncio.to_thread(verify_giveaway.main, [url]) == 0


async def test_a_banned_viewer_cannot_enter(client, user_factory, room_url) -> None:
    host = await user_factory("host", ["host"])
    troll, fan = await user_factory("troll"), await user_factory("fan")
    room_id = await live_room(client, host)
    giveaway = (await start(client, host, room_id, keyword="666")).json()
    banned = await client.post(
        f"/api/rooms/{room_id}/moderation",
        json={"action": "ban", "userId": troll.id},
        headers=host.headers,
    )
    assert banned.status_code == 200, banned.text
    mine = await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=troll.headers)
    assert mine.json()["banned"] is True and mine.json()["entered"] is False
    async with joined(room_url(room_id), fan) as (ws, _):
        await comment_and_wait(ws, fan.id, "666")
    await end_now(giveaway["id"])
    assert await draw(giveaway["id"])
    published = (await client.get(f"/api/giveaways/{giveaway['id']}/entries")).json()
    assert [e["name"] for e in published["entries"]] == ["F*n"]  # the troll never entered


async def test_claims_pay_once_to_the_winner_only_and_not_after_the_deadline(
    client, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    a, b, outsider = (
        await user_factory("alice"),
        await user_factory("bobby"),
        await user_factory("outsider"),
    )
    room_id = await live_room(client, host)
    giveaway = (await start(client, host, room_id, winners=2, amount=200)).json()
    for viewer in (a, b):
        await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
    await end_now(giveaway["id"])
    assert await draw(giveaway["id"])
    claim = f"/api/giveaways/{giveaway['id']}/claim"

    refused = await client.post(claim, headers=outsider.headers)
    assert refused.status_code == 404, refused.text  # nobody claims another's prize

    twice = await asyncio.gather(*(client.post(claim, headers=a.headers) for _ in range(5)))
    assert sorted(r.status_code for r in twice) == [200, 409, 409, 409, 409]
    assert {problem_code(r) for r in twice if r.status_code == 409} == {"prize_already_claimed"}
    assert await balance(a) == 200

    await claims_due(giveaway["id"])  # 48 h later
    late = await client.post(claim, headers=b.headers)
    assert late.status_code == 409 and problem_code(late) == "claim_expired"
    assert await balance(b) == 0
    assert (await ledger_state()).balanced


async def test_unclaimed_prizes_are_redrawn_down_the_same_ranking(client, user_factory) -> None:
    host = await user_factory("host", ["host"])
    viewers = [await user_factory(f"fan{i}") for i in range(5)]
    room_id = await live_room(client, host)
    giveaway = (await start(client, host, room_id, winners=2, onUnclaimed="redraw")).json()
    for viewer in viewers:
        await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
    await end_now(giveaway["id"])
    assert await draw(giveaway["id"])
    first = (await client.get(f"/api/giveaways/{giveaway['id']}")).json()["winners"]
    by_token = {}
    for viewer in viewers:
        mine = (
            await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
        ).json()
        by_token[mine["token"]] = viewer
    winner = by_token[first[0]["token"]]
    assert (
        await client.post(f"/api/giveaways/{giveaway['id']}/claim", headers=winner.headers)
    ).status_code == 200

    from tests.marketing.giveaway_support import giveaway_jobs

    await claims_due(giveaway["id"])
    lapsed = await asyncio.gather(
        giveaway_jobs.expire_giveaway_claims({}, giveaway["id"]),
        giveaway_jobs.expire_giveaway_claims({}, giveaway["id"]),
    )
    assert sorted(lapsed) == [0, 1]  # the unclaimed one, once
    published = (await client.get(f"/api/giveaways/{giveaway['id']}/entries")).json()
    assert [(w["rank"], w["round"], w["status"]) for w in published["winners"]] == [
        (0, 1, "claimed"),
        (1, 1, "lapsed"),
        (2, 2, "won"),
    ]
    assert giveaway_rules.verify(published)[0] == []  # the redraw is checkable too


async def test_unclaimed_prizes_lapse_back_to_the_host(client, user_factory) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    room_id = await live_room(client, host)
    giveaway = (
        await start(client, host, room_id, winners=3, amount=100, onUnclaimed="lapse")
    ).json()
    await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
    await end_now(giveaway["id"])
    assert await draw(giveaway["id"])
    # Two prizes found nobody: back at the draw; the third lapses unclaimed.
    assert await balance(host) == 200
    from tests.marketing.giveaway_support import giveaway_jobs

    await claims_due(giveaway["id"])
    assert await giveaway_jobs.expire_giveaway_claims({}, giveaway["id"]) == 1
    assert await balance(host) == 300 and await red_packet_escrow() == 0
    assert (await ledger_state()).balanced
    assert (await client.get(f"/api/giveaways/{giveaway['id']}")).json()["status"] == "closed"


async def test_one_giveaway_at_a_time_and_the_prize_cap(client, user_factory) -> None:
    host = await user_factory("host", ["host"])
    admin = await user_factory("admin", ["admin"])
    room_id = await live_room(client, host)
    capped = await client.put(
        "/api/admin/settings/giveaways", json={"prizeValueCap": 1000}, headers=admin.headers
    )
    assert capped.status_code == 200, capped.text
    over = await start(client, host, room_id, winners=3, amount=400)
    assert over.status_code == 422 and problem_code(over) == "prize_over_cap"
    assert await balance(host) == 1200  # nothing was taken

    coupon_id = await room_coupon(client, host, room_id, amountOff=600)
    over_coupon = await start(
        client, host, room_id, prizeKind="coupon", couponId=coupon_id, winners=2
    )
    assert problem_code(over_coupon) == "prize_over_cap"

    both = await asyncio.gather(
        *(start(client, host, room_id, winners=2, amount=500) for _ in range(3))
    )
    assert sorted(r.status_code for r in both) == [201, 409, 409]
    assert {problem_code(r) for r in both if r.status_code == 409} == {"giveaway_running"}


async def test_a_coupon_prize_is_a_copy_through_the_coupon_engine(client, user_factory) -> None:
    host = await user_factory("host", ["host"])
    viewer = await user_factory("viewer")
    room_id = await live_room(client, host)
    coupon_id = await room_coupon(client, host, room_id)
    giveaway = (
        await start(client, host, room_id, prizeKind="coupon", couponId=coupon_id, winners=1)
    ).json()
    await client.get(f"/api/giveaways/{giveaway['id']}/me", headers=viewer.headers)
    await end_now(giveaway["id"])
    assert await draw(giveaway["id"])
    claimed = await client.post(f"/api/giveaways/{giveaway['id']}/claim", headers=viewer.headers)
    assert claimed.status_code == 200, claimed.text
    mine = (await client.get("/api/me/coupons", headers=viewer.headers)).json()
    items = mine["items"] if isinstance(mine, dict) else mine
    assert [c["id"] for c in items] == [claimed.json()["userCouponId"]]
