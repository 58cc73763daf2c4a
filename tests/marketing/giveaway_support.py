"""Giveaway test helpers: a live room with a coupon or a funded host, a giveaway started through
the API, its end brought forward, and the draw run as the worker runs it."""

from __future__ import annotations

from typing import Any

import httpx

from livecommerce.domains.marketing import giveaway_jobs, giveaway_room
from livecommerce.infra import db
from tests.promotions.support import fund
from tests.support import TestUser, live_room_with_product


async def live_room(client: httpx.AsyncClient, host: TestUser) -> int:
    room, _ = await live_room_with_product(client, host, price=990)
    return int(room["id"])


async def room_coupon(
    client: httpx.AsyncClient, host: TestUser, room_id: int, **fields: Any
) -> int:
    body = {
        "title": "¥5 off",
        "kind": "amount_off",
        "quota": 100,
        "amountOff": 500,
        "validMinutes": 600,
        "drop": True,
        **fields,
    }
    made = await client.post(f"/api/rooms/{room_id}/coupons", json=body, headers=host.headers)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def start(
    client: httpx.AsyncClient, host: TestUser, room_id: int, **fields: Any
) -> httpx.Response:
    body = {"title": "福袋", "prizeKind": "red_packet", "amount": 100, "winners": 2,
            "durationMinutes": 5, **fields}  # fmt: skip
    if body["prizeKind"] == "red_packet":
        await fund(host, body["amount"] * body["winners"])
    giveaway_room.forget(room_id)
    return await client.post(f"/api/rooms/{room_id}/giveaways", json=body, headers=host.headers)


async def end_now(giveaway_id: int) -> None:
    """The giveaway's time is up (as if its minutes had passed)."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE giveaways SET ends_at = now() - interval '1 millisecond' WHERE id = $1",
            giveaway_id,
        )


async def draw(giveaway_id: int) -> bool:
    return await giveaway_jobs.draw_giveaway({}, giveaway_id)


async def claims_due(giveaway_id: int) -> None:
    """Every open claim's deadline has passed (48 h later)."""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE giveaway_winners SET claim_deadline = now() - interval '1 second'"
            " WHERE giveaway_id = $1 AND status = 'won'",
            giveaway_id,
        )


async def owned_giveaway(owner_id: int, room_id: int, coupon_id: int) -> int:
    """A running giveaway in `owner`'s room, straight in the database (the room need not be on
    air): the authorization matrix's object."""
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "INSERT INTO giveaways (room_id, host_id, title, prize_kind, coupon_id,"
                " prize_value, winners_count, seed, seed_hash, token_key, ends_at)"
                " VALUES ($1, $2, 'gift', 'coupon', $3, 100, 1, '\\x00', repeat('0', 64),"
                " '\\x00', now() + interval '1 hour') RETURNING id",
                room_id,
                owner_id,
                coupon_id,
            )
        )
