"""Idempotency-Key: a retried request with the same key and body gets the first response back.

The key is claimed by an INSERT in the same transaction that does the work and stores the
response. A concurrent retry's INSERT waits on the uncommitted unique entry; when the first
commits, the retry finds the stored response. If the first failed and rolled back, the key
is free again and the retry does the work itself: nothing was half-done either way.
"""

from __future__ import annotations

import hashlib

import msgspec
from asyncpg import Connection

from livecommerce.infra.errors import DomainError, ErrorCode


class StoredResponse(msgspec.Struct):
    status: int
    body: bytes


def request_hash(payload: msgspec.Struct) -> str:
    """Hash of the parsed body: the same request spelled with other spacing or key order is the
    same."""
    canonical = msgspec.json.encode(msgspec.to_builtins(payload), order="sorted")
    return hashlib.sha256(canonical).hexdigest()


async def claim(
    conn: Connection, user_id: int, key: str, digest: str, ttl_hours: int
) -> StoredResponse | None:
    """None: the caller owns the key and must do the work. Else the first response, to replay."""
    if not key or len(key) > 128:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_KEY_REQUIRED,
            detail="send an Idempotency-Key header of 1 to 128 characters",
        )
    owned = await conn.fetchval(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, expires_at)"
        " VALUES ($1, $2, $3, now(), now() + make_interval(hours => $4))"
        " ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,"
        " response_status = NULL,"
        "   response_body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at"
        "   WHERE idempotency_keys.expires_at < now()"
        " RETURNING id",
        user_id,
        key,
        digest,
        ttl_hours,
    )
    if owned is not None:
        return None
    row = await conn.fetchrow(
        "SELECT request_hash, response_status, response_body FROM idempotency_keys"
        " WHERE user_id = $1 AND key = $2",
        user_id,
        key,
    )
    if row is None:
        raise RuntimeError(f"idempotency key {key!r} of user {user_id} conflicted but is gone")
    if row["request_hash"] != digest:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            detail="this Idempotency-Key was used with a different request body",
        )
    if row["response_status"] is None:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_IN_PROGRESS,
            detail="the first request with this key is still running",
        )
    return StoredResponse(status=row["response_status"], body=row["response_body"].encode())


async def stored(conn: Connection, user_id: int, key: str, digest: str) -> StoredResponse | None:
    """The first response to this key and body, if one was stored and has not expired; read
    only (for a caller refused before it could claim the key: a flash buyer at their limit)."""
    row = await conn.fetchrow(
        "SELECT request_hash, response_status, response_body FROM idempotency_keys"
        " WHERE user_id = $1 AND key = $2 AND expires_at >= now()",
        user_id,
        key,
    )
    if row is None or row["response_status"] is None or row["request_hash"] != digest:
        return None
    return StoredResponse(status=row["response_status"], body=row["response_body"].encode())


async def remember(conn: Connection, user_id: int, key: str, status: int, body: bytes) -> None:
    await conn.execute(
        "UPDATE idempotency_keys SET response_status = $3, response_body = $4"
        " WHERE user_id = $1 AND key = $2",
        user_id,
        key,
        status,
        body.decode(),
    )


async def purge_expired(conn: Connection) -> int:
    done = await conn.execute("DELETE FROM idempotency_keys WHERE expires_at < now()")
    return int(done.split()[-1])
