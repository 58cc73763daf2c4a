"""A live room to tip in, an operator to set the caps and the catalogue, and a send helper."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import httpx

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.ledger.buckets import bucketed_balance
from livecommerce.infra import db
from tests.support import TestUser, create_room, go_live

_keys = itertools.count(1)


@dataclass
class TipRoom:
    admin: TestUser
    host: TestUser
    room_id: int
    session_id: int
    gift_id: int  # a ¥1 rose (100 fen)


async def set_tips(client: httpx.AsyncClient, admin: TestUser, **settings: Any) -> dict[str, Any]:
    response = await client.put("/api/admin/tip-settings", json=settings, headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def add_gift(
    client: httpx.AsyncClient, admin: TestUser, name: str = "玫瑰", price: int = 100, **more: Any
) -> dict[str, Any]:
    body = {"name": name, "icon": "/static/gifts/rose.svg", "price": price, **more}
    response = await client.post("/api/admin/gifts", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def tip_room(
    client: httpx.AsyncClient, user_factory: Any, *, fee_bp: int = 3000, **caps: Any
) -> TipRoom:
    admin = await user_factory("ops", ["admin"])
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    session = await go_live(client, host, room["id"])
    await set_tips(client, admin, platformFeeBp=fee_bp, **caps)
    gift = await add_gift(client, admin)
    return TipRoom(admin, host, room["id"], session["id"], gift["id"])


async def send(
    client: httpx.AsyncClient,
    user: TestUser | None,
    room_id: int,
    gift_id: int,
    quantity: int = 1,
    key: str | None = None,
    **body: Any,
) -> httpx.Response:
    headers = {"Idempotency-Key": key or f"tip-{next(_keys)}"}
    if user is not None:
        headers |= user.headers
    return await client.post(
        f"/api/rooms/{room_id}/gifts",
        json={"giftId": gift_id, "quantity": quantity, **body},
        headers=headers,
    )


async def escrow(host: TestUser) -> int:
    """The host's escrow: the sum of its buckets."""
    async with db.connection() as conn:
        return await bucketed_balance(conn, host.id, Kind.ESCROW)


async def revenue() -> int:
    async with db.connection() as conn:
        return await ledger.balance(conn, await ledger.account_id(conn, None, Kind.REVENUE))


async def counts() -> dict[str, int]:
    """Rows a refused tip must not leave behind."""
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM gift_tips) AS tips,"
            " (SELECT count(*) FROM gift_tip_totals) AS totals,"
            " (SELECT count(*) FROM idempotency_keys) AS keys,"
            " (SELECT count(*) FROM ledger_transactions WHERE kind = 'tip') AS postings"
        )
    return dict(row)
