"""A viewer banned from a room takes none of its red packets or coupons (DESIGN.md §10): 403
`banned` over HTTP and over the room's socket, and nothing is written, also when the process's
cached room rules have not heard of the ban yet."""

from __future__ import annotations

import json
from typing import Any

import httpx

from livecommerce.domains.live import moderation
from livecommerce.infra import db
from tests.live.conftest import joined
from tests.promotions.support import balance, fund
from tests.support import TestUser, create_room, go_live, next_frame, problem_code


async def room_with_promotions(
    client: httpx.AsyncClient, host: TestUser, parts: int = 2
) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """A live room with a red packet of `parts` parts of 100 fen and a dropped coupon."""
    await fund(host, 1_000_000)
    room = await create_room(client, host)
    await go_live(client, host, room["id"])
    packet = await client.post(
        f"/api/rooms/{room['id']}/red-packets",
        json={"totalAmount": 100 * parts, "count": parts, "split": "equal"},
        headers=host.headers,
    )
    assert packet.status_code == 201, packet.text
    coupon = await client.post(
        f"/api/rooms/{room['id']}/coupons",
        json={
            "title": "5 off",
            "kind": "amount_off",
            "amountOff": 500,
            "quota": 10,
            "validMinutes": 30,
            "drop": True,
        },
        headers=host.headers,
    )
    assert coupon.status_code == 201, coupon.text
    return room["id"], packet.json(), coupon.json()


async def ban(client: httpx.AsyncClient, host: TestUser, room_id: int, user: TestUser) -> None:
    banned = await client.post(
        f"/api/rooms/{room_id}/moderation",
        json={"action": "ban", "userId": user.id},
        headers=host.headers,
    )
    assert banned.status_code == 200, banned.text


async def written(packet_id: int, coupon_id: int, user: TestUser) -> tuple[int, int, int]:
    """(parts the user holds, coupon copies the user holds, the user's wallet)."""
    async with db.connection() as conn:
        parts = await conn.fetchval(
            "SELECT count(*) FROM red_packet_parts WHERE packet_id = $1 AND user_id = $2",
            packet_id,
            user.id,
        )
        copies = await conn.fetchval(
            "SELECT count(*) FROM user_coupons WHERE coupon_id = $1 AND user_id = $2",
            coupon_id,
            user.id,
        )
    return parts, copies, await balance(user)


async def test_a_banned_viewer_gets_403_banned_for_the_rooms_red_packets_and_coupons(
    client: httpx.AsyncClient, user_factory
) -> None:
    host, troll, fan = (
        await user_factory("host", ["host"]),
        await user_factory("troll"),
        await user_factory("fan"),
    )
    room_id, packet, coupon = await room_with_promotions(client, host)
    await ban(client, host, room_id, troll)
    grabbed = await client.post(f"/api/red-packets/{packet['id']}/grab", headers=troll.headers)
    claimed = await client.post(f"/api/coupons/{coupon['id']}/claim", headers=troll.headers)
    assert (grabbed.status_code, problem_code(grabbed)) == (403, "banned")
    assert (claimed.status_code, problem_code(claimed)) == (403, "banned")
    assert await written(packet["id"], coupon["id"], troll) == (0, 0, 0)
    # Others are not affected, and an unbanned viewer may take part again.
    fan_grab = await client.post(f"/api/red-packets/{packet['id']}/grab", headers=fan.headers)
    assert fan_grab.json()["outcome"] == "won"
    fan_claim = await client.post(f"/api/coupons/{coupon['id']}/claim", headers=fan.headers)
    assert fan_claim.status_code == 201
    lifted = await client.post(
        f"/api/rooms/{room_id}/moderation",
        json={"action": "unban", "userId": troll.id},
        headers=host.headers,
    )
    assert lifted.status_code == 200
    again = await client.post(f"/api/red-packets/{packet['id']}/grab", headers=troll.headers)
    assert again.json()["outcome"] == "won"
    assert (
        await client.post(f"/api/coupons/{coupon['id']}/claim", headers=troll.headers)
    ).status_code == 201


async def test_a_ban_the_process_has_not_heard_of_still_stops_a_socket_grab_and_frees_the_part(
    client: httpx.AsyncClient, user_factory, live
) -> None:
    host, troll, fans = (
        await user_factory("host", ["host"]),
        await user_factory("troll"),
        [await user_factory(f"fan{i}") for i in range(2)],
    )
    room_id, packet, coupon = await room_with_promotions(client, host, parts=2)
    async with joined(f"{live.ws_url}/ws/rooms/{room_id}", troll) as (ws, _):
        # As a ban made on another process whose event this one missed: in PostgreSQL only,
        # while this process's cached rules (read by the join) still say the troll is welcome.
        async with db.connection() as conn:
            await conn.execute(
                "INSERT INTO room_penalties (room_id, user_id, kind, until, reason,"
                " created_by_id, created_at) VALUES ($1, $2, 'ban', NULL, '', $3, now())",
                room_id,
                troll.id,
                host.id,
            )
        assert not (await moderation.rules(room_id)).penalty("ban", troll.id)  # still cached
        await ws.send(json.dumps({"type": "grab", "redPacketId": packet["id"]}))
        refused = await next_frame(ws, where=lambda f: f["type"] in ("error", "grab_result"))
        assert (refused["type"], refused["code"]) == ("error", "banned"), refused
        http = await client.post(f"/api/red-packets/{packet['id']}/grab", headers=troll.headers)
        assert (http.status_code, problem_code(http)) == (403, "banned")
    assert await written(packet["id"], coupon["id"], troll) == (0, 0, 0)
    # The part the troll popped in Redis went back: both fans get one.
    for fan in fans:
        won = await client.post(f"/api/red-packets/{packet['id']}/grab", headers=fan.headers)
        assert (won.json()["outcome"], won.json()["amount"]) == ("won", 100), won.text
