"""The naive baseline of the grab bench, and the trivial endpoint that measures the HTTP ceiling.

    DATABASE_URL=... REDIS_URL=... SECRET_KEY=... PORT=... .venv/bin/python -m bench.grab_naive

Served like ours (uvicorn, uvloop, httptools, one process). The naive grab is written the
obvious way, with round trips and no script:
- check-then-write in Redis: HGET "already grabbed?", GET the parts left, SET it to left - 1,
  LINDEX that part, HSET the winner. Between these awaits other grabs of the same packet run,
  so two viewers read the same `left` and are told they won the same part (an over-grab);
- the win goes to PostgreSQL in autocommit statements (UPDATE the part, read-then-write the
  wallet balance), so a later winner of the same part overwrites an earlier one.
It authenticates with Litestar's JWT (same secret and tokens as ours), like bench.checkout_naive.

`POST /trivial` answers `{"ok": true}` with no auth and no I/O: what one process of Litestar on
uvicorn can answer at all (the HTTP ceiling of the grab bench).
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, post
from litestar.security.jwt import Token
from redis.asyncio import Redis

from bench.harness import naive_app, serve_naive


def _json(body: dict[str, Any], status: int = 200) -> Response[bytes]:
    return Response(msgspec.json.encode(body), status_code=status, media_type="application/json")


@post("/api/red-packets/{packet_id:int}/grab", status_code=200)
async def grab(request: Request[int, Token, Any], packet_id: int) -> Response[bytes]:
    user_id = request.user
    redis: Redis = request.app.state.redis
    base = f"naive:{packet_id}"
    mine = await redis.hget(f"{base}:won", str(user_id))
    if mine is not None:
        return _json(
            {
                "redPacketId": packet_id,
                "outcome": "won",
                "amount": int(mine.split(b":")[1]),
                "again": True,
            }
        )
    left = int(await redis.get(f"{base}:left") or 0)
    if left <= 0:
        return _json({"redPacketId": packet_id, "outcome": "empty", "amount": 0, "again": False})
    await redis.set(f"{base}:left", left - 1)
    part = await redis.lindex(f"{base}:parts", left - 1)
    await redis.hset(f"{base}:won", str(user_id), part)
    idx, amount = (int(x) for x in part.split(b":"))
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn:  # autocommit: each statement on its own
        try:
            await conn.execute(
                "UPDATE red_packet_parts SET user_id = $3, grabbed_at = now() WHERE packet_id = $1"
                " AND idx = $2",
                packet_id,
                idx,
                user_id,
            )
        except asyncpg.UniqueViolationError:
            return _json({"code": "conflict"}, 409)
        wallet = await conn.fetchrow(
            "SELECT id, balance FROM accounts WHERE user_id = $1 AND kind = 'wallet'", user_id
        )
        if wallet is None:
            await conn.execute(
                "INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, "
                "created_at)"
                " VALUES ($1, 'wallet', 0, false, false, now()) ON CONFLICT DO NOTHING",
                user_id,
            )
            wallet = await conn.fetchrow(
                "SELECT id, balance FROM accounts WHERE user_id = $1 AND kind = 'wallet'", user_id
            )
        await conn.execute(
            "UPDATE accounts SET balance = $2 WHERE id = $1",
            wallet["id"],
            wallet["balance"] + amount,
        )
    return _json({"redPacketId": packet_id, "outcome": "won", "amount": amount, "again": False})


@post("/trivial", status_code=200)
async def trivial() -> dict[str, bool]:
    return {"ok": True}


def create_app() -> Litestar:
    return naive_app([grab, trivial], redis=True, public=["/trivial"])


if __name__ == "__main__":
    serve_naive("bench.grab_naive:create_app")
