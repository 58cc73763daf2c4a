"""Sending a gift over HTTP: the money's path through the ledger, and every refusal leaving
nothing behind."""

from __future__ import annotations

import httpx

from livecommerce.domains.ledger import Kind
from livecommerce.infra import db
from tests.marketing.gifts_support import (
    add_gift,
    counts,
    escrow,
    revenue,
    send,
    tip_room,
)
from tests.promotions.support import balance, fund
from tests.support import TestUser, create_room, go_live, ledger_state, problem_code


async def test_a_gift_moves_the_wallet_to_the_hosts_escrow_and_the_platforms_fee(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory, fee_bp=3000)
    fan = await user_factory("fan")
    await fund(fan, 1_000)
    sent = await send(client, fan, room.room_id, room.gift_id, quantity=3)
    assert sent.status_code == 201, sent.text
    tip = sent.json()
    assert (tip["amount"], tip["quantity"], tip["balance"], tip["sessionId"]) == (
        300,
        3,
        700,
        room.session_id,
    )
    assert await balance(fan) == 700
    assert await escrow(room.host) == 210  # 300 less the 30 % fee
    assert await revenue() == 90
    assert await balance(room.host, Kind.RECEIVABLE) == 0  # held until the settlement
    async with db.connection() as conn:
        entries = await conn.fetch(
            "SELECT e.amount FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.txn_id"
            " WHERE t.business_key = $1",
            f"tip:{tip['id']}",
        )
    assert sorted(e["amount"] for e in entries) == [-300, 90, 210]
    assert (await ledger_state()).problems == []


async def test_not_enough_in_the_wallet_is_a_clear_code_and_leaves_no_row(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory)
    fan = await user_factory("fan")
    await fund(fan, 99)
    before = await counts()
    refused = await send(client, fan, room.room_id, room.gift_id)
    assert refused.status_code == 409
    assert problem_code(refused) == "insufficient_balance"
    assert await counts() == before
    assert await balance(fan) == 99
    assert await escrow(room.host) == 0


async def test_a_replayed_key_sends_once_and_another_body_under_it_is_refused(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory)
    fan = await user_factory("fan")
    await fund(fan, 1_000)
    first = await send(client, fan, room.room_id, room.gift_id, key="k1")
    again = await send(client, fan, room.room_id, room.gift_id, key="k1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await send(client, fan, room.room_id, room.gift_id, quantity=2, key="k1")
    assert other.status_code == 422 and problem_code(other) == "idempotency_key_reused"
    assert (await counts())["tips"] == 1
    assert await balance(fan) == 900
    missing = await client.post(
        f"/api/rooms/{room.room_id}/gifts", json={"giftId": room.gift_id}, headers=fan.headers
    )
    assert missing.status_code == 400 and problem_code(missing) == "idempotency_key_required"


async def test_unknown_disabled_and_misdirected_gifts_are_refused(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory)
    fan = await user_factory("fan")
    await fund(fan, 10_000)
    unknown = await send(client, fan, room.room_id, 999_999)
    assert unknown.status_code == 404 and problem_code(unknown) == "not_found"
    retired = await add_gift(client, room.admin, name="旧礼物", enabled=False)
    disabled = await send(client, fan, room.room_id, retired["id"])
    assert disabled.status_code == 409 and problem_code(disabled) == "gift_unavailable"
    # Another host's live session named with this room: not moved to this room's.
    other_host = await user_factory("other", ["host"])
    elsewhere = await create_room(client, other_host, "Elsewhere")
    other_session = (await go_live(client, other_host, elsewhere["id"]))["id"]
    wrong = await send(client, fan, room.room_id, room.gift_id, sessionId=other_session)
    assert wrong.status_code == 400 and problem_code(wrong) == "room_mismatch"
    right = await send(client, fan, room.room_id, room.gift_id, sessionId=room.session_id)
    assert right.status_code == 201, right.text
    no_room = await send(client, fan, 999_999, room.gift_id)
    assert no_room.status_code == 404
    # The session ends: a tip meant for it is not moved to a later one.
    ended = await client.post(f"/api/rooms/{room.room_id}/end", headers=room.host.headers)
    assert ended.status_code == 200, ended.text
    late = await send(client, fan, room.room_id, room.gift_id, sessionId=room.session_id)
    assert late.status_code == 409 and problem_code(late) == "room_not_live"
    assert (await counts())["tips"] == 1
    assert await balance(fan) == 9_900


async def test_guests_banned_viewers_and_the_host_itself_do_not_tip(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory)
    fan = await user_factory("fan")
    await fund(fan, 1_000)
    await fund(room.host, 1_000)
    guest = await send(client, None, room.room_id, room.gift_id)
    assert guest.status_code == 401
    own = await send(client, room.host, room.room_id, room.gift_id)
    assert own.status_code == 409 and problem_code(own) == "cannot_tip_self"
    banned = await client.post(
        f"/api/rooms/{room.room_id}/moderation",
        json={"action": "ban", "userId": fan.id},
        headers=room.host.headers,
    )
    assert banned.status_code in (200, 201), banned.text
    refused = await send(client, fan, room.room_id, room.gift_id)
    assert refused.status_code == 403 and problem_code(refused) == "banned"
    assert (await counts())["tips"] == 0


async def test_each_cap_names_its_scope_and_what_is_left(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory, maxPerTip=300, maxPerSession=500, maxPerDay=700)
    fan: TestUser = await user_factory("fan")
    await fund(fan, 10_000)
    too_big = await send(client, fan, room.room_id, room.gift_id, quantity=4)
    assert too_big.status_code == 409 and problem_code(too_big) == "tip_limit_reached"
    assert too_big.json()["scope"] == "tip"
    assert (await send(client, fan, room.room_id, room.gift_id, quantity=3)).status_code == 201
    over = await send(client, fan, room.room_id, room.gift_id, quantity=3)
    assert over.status_code == 409 and (over.json()["scope"], over.json()["left"]) == (
        "session",
        200,
    )
    last = await send(client, fan, room.room_id, room.gift_id, quantity=2)
    assert last.status_code == 201 and last.json()["sessionLeft"] == 0
    # A new session of the same day: the day's cap (700) is what stops the fan now.
    await client.post(f"/api/rooms/{room.room_id}/end", headers=room.host.headers)
    await go_live(client, room.host, room.room_id)
    day = await send(client, fan, room.room_id, room.gift_id, quantity=3)
    assert day.status_code == 409 and (day.json()["scope"], day.json()["left"]) == ("day", 200)
    assert await balance(fan) == 9_500
