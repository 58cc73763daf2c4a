"""What the join snapshot says about the room's promotions, for the viewer who joins: how many
parts of a red packet are gone and whether this viewer already has one (and how much), which
coupons this viewer already holds. A page that reloads knows only what the snapshot tells it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.live.conftest import joined
from tests.promotions.support import fund
from tests.support import TestUser, create_room, go_live


async def _live_room(client: httpx.AsyncClient, host: TestUser) -> int:
    room = await create_room(client, host)
    await go_live(client, host, room["id"])
    return int(room["id"])


async def _red_packet(
    client: httpx.AsyncClient, host: TestUser, room_id: int, parts: int
) -> dict[str, Any]:
    await fund(host, 100_000)
    sent = await client.post(
        f"/api/rooms/{room_id}/red-packets",
        json={"totalAmount": 100 * parts, "count": parts, "split": "equal"},
        headers=host.headers,
    )
    assert sent.status_code == 201, sent.text
    return dict(sent.json())


async def _coupon(
    client: httpx.AsyncClient, host: TestUser, room_id: int, **body: Any
) -> dict[str, Any]:
    made = await client.post(
        f"/api/rooms/{room_id}/coupons",
        json={
            "title": "5 off",
            "kind": "amount_off",
            "amountOff": 500,
            "quota": 10,
            "validMinutes": 30,
            "drop": True,
            **body,
        },
        headers=host.headers,
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def _packet(snapshot: dict[str, Any], packet_id: int) -> dict[str, Any]:
    return next(p for p in snapshot["payload"]["redPackets"] if p["id"] == packet_id)


def _coupon_in(snapshot: dict[str, Any], coupon_id: int) -> dict[str, Any] | None:
    return next((c for c in snapshot["payload"]["coupons"] if c["id"] == coupon_id), None)


async def test_the_snapshot_counts_the_grabbed_parts_and_tells_the_grabber_what_they_got(
    client, user_factory, room_url
) -> None:
    host = await user_factory("host", ["host"])
    grabber, other = await user_factory("grabber"), await user_factory("other")
    room_id = await _live_room(client, host)
    packet = await _red_packet(client, host, room_id, parts=3)
    won = await client.post(f"/api/red-packets/{packet['id']}/grab", headers=grabber.headers)
    assert won.status_code == 200 and won.json()["outcome"] == "won", won.text

    async with joined(room_url(room_id), grabber) as (_, snap):
        mine = _packet(snap, packet["id"])
        assert (mine["claimedCount"], mine["grabbedByYou"], mine["yourAmount"]) == (1, True, 100)
    async with joined(room_url(room_id), other) as (_, snap):
        theirs = _packet(snap, packet["id"])
        assert (theirs["claimedCount"], theirs["grabbedByYou"], theirs["yourAmount"]) == (
            1,
            False,
            None,
        )
    async with joined(room_url(room_id)) as (_, snap):
        guest = _packet(snap, packet["id"])
        assert (guest["claimedCount"], guest["grabbedByYou"]) == (1, False)


async def test_the_snapshot_marks_the_coupons_this_viewer_holds_even_the_last_copy(
    client, user_factory, room_url
) -> None:
    host = await user_factory("host", ["host"])
    holder, other = await user_factory("holder"), await user_factory("other")
    room_id = await _live_room(client, host)
    plenty = await _coupon(client, host, room_id, title="Plenty", quota=10)
    twice = await _coupon(client, host, room_id, title="Twice", quota=10, perUserLimit=2)
    last = await _coupon(client, host, room_id, title="Last one", quota=1)
    for coupon in (plenty, twice, last):
        claimed = await client.post(
            f"/api/coupons/{coupon['id']}/claim", json={}, headers=holder.headers
        )
        assert claimed.status_code == 201, claimed.text

    async with joined(room_url(room_id), holder) as (_, snap):
        seen = {
            c["title"]: (c["yourClaims"], c["perUserLimit"], c["claimedByYou"])
            for c in snap["payload"]["coupons"]
        }
        # Twice: one copy held, one more may be claimed; the last copy stays in the holder's bag.
        assert seen == {
            "Plenty": (1, 1, True),
            "Twice": (1, 2, False),
            "Last one": (1, 1, True),
        }
    async with joined(room_url(room_id), other) as (_, snap):
        assert _coupon_in(snap, last["id"]) is None  # all gone, and none of it is theirs
        theirs = _coupon_in(snap, plenty["id"])
        assert theirs is not None and (theirs["yourClaims"], theirs["claimedByYou"]) == (0, False)
    async with joined(room_url(room_id)) as (_, snap):
        guest = _coupon_in(snap, plenty["id"])
        assert guest is not None and guest["claimedByYou"] is False
