"""Rooms, live sessions, presence and money for the promotion tests, in one place.

Rooms and sessions are inserted with SQL while the rooms API is written in parallel;
switch these helpers to the API (POST /api/rooms, /start, /end) when it lands.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from litestar import Litestar
from redis.asyncio import Redis

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.promotions import live_state
from livecommerce.infra import db
from tests.support import TestUser

T = TypeVar("T")


async def create_room(host: TestUser, title: str = "Tea tasting") -> int:
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "INSERT INTO rooms (host_id, title, description, cover_url, slow_mode_seconds, "
                "created_at)"
                " VALUES ($1, $2, '', '', 0, now()) RETURNING id",
                host.id,
                title,
            )
        )


async def go_live(room_id: int) -> int:
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "INSERT INTO live_sessions (room_id, title, status, started_at, hls_url, "
                "peak_online, unique_viewers, views,"
                " likes, comments, orders, gmv, created_at) VALUES ($1, 'On air', 'live', now(), "
                "'', 0, 0, 0, 0, 0, 0, 0, now())"
                " RETURNING id",
                room_id,
            )
        )


async def end_live(room_id: int) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE live_sessions SET status = 'ended', ended_at = now() WHERE room_id = $1 AND "
            "status = 'live'",
            room_id,
        )


async def fund(user: TestUser | int, fen: int, key: str | None = None) -> None:
    """Money into a user's wallet through the ledger (as a gateway top-up would)."""
    user_id = user if isinstance(user, int) else user.id
    async with db.transaction() as tx:
        conn = tx.conn
        gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
        wallet = await ledger.account_id(conn, user_id, Kind.WALLET)
        await ledger.post(
            conn,
            key or f"test:fund:{user_id}:{time.monotonic_ns()}",
            "topup",
            [(gateway, -fen), (wallet, fen)],
        )


async def fund_many(users: list[TestUser], fen: int, key: str = "test:fund") -> None:
    """`fund` for many users in one DB transaction: one top-up per user (keyed `key:user id`),
    posted together through the ledger (ledger.post_many), as one by one costs seconds for
    thousands."""
    async with db.transaction() as tx:
        conn = tx.conn
        gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
        wallets = await ledger.account_ids(conn, [u.id for u in users], Kind.WALLET)
        postings = [(f"{key}:{u.id}", [(gateway, -fen), (wallets[u.id], fen)]) for u in users]
        posted = await ledger.post_many(conn, "topup", postings)
        assert len(posted) == len(users), "every user funded once"


async def balance(user: TestUser | int, kind: Kind = Kind.WALLET) -> int:
    user_id = user if isinstance(user, int) else user.id
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "SELECT COALESCE(MAX(balance), 0) FROM accounts WHERE user_id = $1 AND kind = $2",
                user_id,
                kind.value,
            )
        )


async def red_packet_escrow() -> int:
    """The platform's red-packet escrow: money sent and not yet grabbed or refunded."""
    async with db.transaction() as tx:
        conn = tx.conn
        return await ledger.balance(conn, await ledger.account_id(conn, None, Kind.RED_PACKET))


async def join_room(
    redis: Redis, room_id: int, user: TestUser | int, seconds_ago: float = 0
) -> None:
    """What the room's websocket records on a viewer's first join: `{room:ID}:joined` user -> epoch
    seconds."""
    user_id = user if isinstance(user, int) else user.id
    await redis.hsetnx(live_state.joined_key(room_id), str(user_id), str(time.time() - seconds_ago))


async def storm(
    base_url: str, calls: list[Callable[[httpx.AsyncClient], Awaitable[T]]], concurrency: int = 64
) -> list[T]:
    """Run every call at once (asyncio.gather) through real HTTP clients, `concurrency` connections
    in all.

    The connections are spread over several small clients: httpx's pool scans all of its
    connections for every request, so one big pool costs the test more than the server."""
    per_client = 4
    logging.getLogger("httpx").setLevel(
        logging.WARNING
    )  # one log line per request would cost more than the request
    limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)
    clients = [
        httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits)
        for _ in range(max(1, concurrency // per_client))
    ]
    gates = [asyncio.Semaphore(per_client) for _ in clients]

    async def one(i: int, call: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
        k = i % len(clients)
        async with gates[k]:
            return await call(clients[k])

    try:
        return await asyncio.gather(*(one(i, call) for i, call in enumerate(calls)))
    finally:
        for http in clients:
            await http.aclose()


async def make_users(app: Litestar, prefix: str, count: int) -> list[TestUser]:
    """`count` viewers in one INSERT, each with a token (make_user one by one costs seconds for
    thousands)."""
    from tests.support import make_user

    first = await make_user(app, f"{prefix}0")  # also makes the session's shared password hash
    async with db.connection() as conn:
        rows = await conn.fetch(
            "INSERT INTO users (username, display_name, password_hash, roles, created_at, "
            "roles_changed_at)"
            " SELECT $1 || g, $1 || g, (SELECT password_hash FROM users WHERE id = $3), '{}', "
            "now(), now()"
            " FROM generate_series(1, $2 - 1) g ORDER BY g RETURNING id, username",
            prefix,
            count,
            first.id,
        )
    jwt = app.state.jwt_auth
    return [
        first,
        *(
            TestUser(
                id=row["id"],
                username=row["username"],
                token=jwt.create_token(
                    identifier=str(row["id"]),
                    token_unique_jwt_id=f"t{row['id']}-{row['username']}",
                    token_extras={"roles": [], "username": row["username"]},
                ),
            )
            for row in rows
        ),
    ]
