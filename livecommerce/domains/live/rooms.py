"""A host's rooms: create, change, list, and the showcase with its pinned product."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from asyncpg import Connection, Record
from redis.exceptions import RedisError

from livecommerce.domains.live import clicks, events, follows, queries
from livecommerce.domains.live.schemas import (
    CreateRoom,
    RoomDetail,
    RoomOut,
    RoomPage,
    RoomStatus,
    SessionOut,
    ShowcaseProduct,
    UpdateRoom,
)
from livecommerce.infra import db, media
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode

# The session a room shows: live now, else the next scheduled, else the last one.
_SHOWN_FIRST = """
ORDER BY (s.status = 'live') DESC, (s.status = 'scheduled') DESC,
         CASE WHEN s.status = 'scheduled' THEN s.scheduled_at END ASC NULLS LAST, s.id DESC
LIMIT 1
"""
_SESSION_OF_ROOM = "SELECT s.* FROM live_sessions s WHERE s.room_id = r.id" + _SHOWN_FIRST

_ROOM_SELECT = f"""
SELECT r.*, u.display_name AS host_name, row_to_json(cur) AS session
FROM rooms r JOIN users u ON u.id = r.host_id
LEFT JOIN LATERAL ({_SESSION_OF_ROOM}) cur ON true
"""


async def current_session(conn: Connection, room_id: int) -> Record | None:
    """The session the room shows (see _SHOWN_FIRST)."""
    return await conn.fetchrow(
        "SELECT s.* FROM live_sessions s WHERE s.room_id = $1" + _SHOWN_FIRST, room_id
    )


def session_out(row: Any) -> SessionOut | None:
    return None if row is None else session_of(row)


def session_of(row: Any) -> SessionOut:
    """A session row: a Record, or the dict `row_to_json` gives."""
    get: Callable[[str], Any] = row.get if isinstance(row, dict) else row.__getitem__
    return SessionOut(
        id=get("id"),
        room_id=get("room_id"),
        title=get("title"),
        status=get("status"),
        scheduled_at=_ts(get("scheduled_at")),
        started_at=_ts(get("started_at")),
        ended_at=_ts(get("ended_at")),
        hls_url=get("hls_url"),
        cover_url=get("cover_url") or "",
    )


def _ts(value: Any) -> Any:
    # row_to_json gives ISO strings; msgspec turns them back into datetimes on the way out.
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


_STATUS: dict[str, RoomStatus] = {"scheduled": "upcoming", "live": "live", "ended": "ended"}


def room_out(row: Record, online: int = 0) -> RoomOut:
    raw = row["session"]
    session = session_out(json.loads(raw) if isinstance(raw, str) else raw)
    status: RoomStatus = _STATUS.get(session.status, "none") if session else "none"
    return RoomOut(
        id=row["id"],
        host_id=row["host_id"],
        host_name=row["host_name"],
        title=row["title"],
        description=row["description"],
        cover_url=row["cover_url"],
        slow_mode_seconds=row["slow_mode_seconds"],
        pinned_product_id=row["pinned_product_id"],
        created_at=row["created_at"],
        session=session,
        online=online,
        status=status,
        starts_at=session.scheduled_at if session and status == "upcoming" else None,
    )


async def showcase(
    conn: Connection, room_id: int, *, for_viewers: bool = True
) -> list[ShowcaseProduct]:
    rows = await conn.fetch(
        "SELECT p.id, p.title, coalesce(p.images[1], '') AS image, p.on_shelf, rp.position,"
        " min(s.price) AS min_price, coalesce(sum(s.stock), 0)::int AS stock"
        " FROM room_products rp JOIN products p ON p.id = rp.product_id"
        " JOIN skus s ON s.product_id = p.id"
        " WHERE rp.room_id = $1"
        + (" AND p.on_shelf" if for_viewers else "")
        + " GROUP BY p.id, rp.position ORDER BY rp.position",
        room_id,
    )
    return [ShowcaseProduct(**dict(r), thumb_url=media.thumb_url(r["image"])) for r in rows]


async def create_room(host: Actor, data: CreateRoom) -> RoomOut:
    async with db.transaction() as tx:
        conn = tx.conn
        room_id = await conn.fetchval(
            "INSERT INTO rooms"
            " (host_id, title, description, cover_url, slow_mode_seconds, created_at)"
            " VALUES ($1, $2, $3, $4, 0, now()) RETURNING id",
            host.id,
            data.title,
            data.description,
            data.cover_url,
        )
        return room_out(await conn.fetchrow(_ROOM_SELECT + " WHERE r.id = $1", room_id))


async def update_room(room_id: int, host: Actor, data: UpdateRoom) -> RoomOut:
    async with db.transaction() as tx:
        conn = tx.conn
        await queries.hosted_room(conn, room_id, host.id, lock=True)
        await conn.execute(
            "UPDATE rooms SET title = coalesce($2, title), description = coalesce($3, description),"
            " cover_url = coalesce($4, cover_url) WHERE id = $1",
            room_id,
            data.title,
            data.description,
            data.cover_url,
        )
        return room_out(await conn.fetchrow(_ROOM_SELECT + " WHERE r.id = $1", room_id))


async def list_rooms(
    *, status: str | None, host_id: int | None, cursor: int | None, limit: int
) -> list[Record]:
    """Live rooms first, then upcoming ones by start time, then the others; newest first within."""
    where, args = ["true"], []
    if host_id is not None:
        args.append(host_id)
        where.append(f"r.host_id = ${len(args)}")
    if status == "live":
        where.append("(cur.status = 'live')")
    elif status == "upcoming":
        where.append("(cur.status = 'scheduled')")
    if cursor is not None:
        args.append(cursor)
        where.append(f"r.id < ${len(args)}")
    args.append(limit + 1)
    async with db.connection() as conn:
        return await conn.fetch(
            _ROOM_SELECT
            + " WHERE "
            + " AND ".join(where)
            + " ORDER BY (cur.status = 'live') DESC NULLS LAST,"
            " (cur.status = 'scheduled') DESC NULLS LAST,"
            " r.id DESC LIMIT $" + str(len(args)),
            *args,
        )


def page(rows: list[Record], limit: int) -> RoomPage:
    items = [room_out(r) for r in rows[:limit]]
    return RoomPage(
        items=items,
        next_cursor=items[-1].id if len(rows) > limit and items else None,
        now=datetime.now(UTC),
    )


async def get_room(room_id: int, online: int = 0) -> RoomDetail:
    async with db.connection() as conn:
        row = await conn.fetchrow(_ROOM_SELECT + " WHERE r.id = $1", room_id)
        if row is None:
            raise queries.room_not_found(room_id)
        base = room_out(row, online)
        mods = await conn.fetch(
            "SELECT user_id FROM room_moderators WHERE room_id = $1 ORDER BY id", room_id
        )
        return RoomDetail(
            **{f: getattr(base, f) for f in base.__struct_fields__},
            showcase=await showcase(conn, room_id),
            moderators=[m["user_id"] for m in mods],
            followers=await follows.count(conn, room_id),
            now=datetime.now(UTC),
        )


async def set_showcase(room_id: int, host: Actor, product_ids: list[int]) -> list[ShowcaseProduct]:
    """Replace the room's products, in this order. Only the host's own products; the pin
    goes if its product leaves the showcase."""
    if len(set(product_ids)) != len(product_ids):
        raise DomainError(ErrorCode.VALIDATION_ERROR, detail="a product is listed twice")
    async with db.transaction() as tx:
        conn = tx.conn
        room = await queries.hosted_room(conn, room_id, host.id, lock=True)
        owned = {
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM products WHERE id = ANY($1::int[]) AND host_id = $2",
                product_ids,
                host.id,
            )
        }
        strangers = [p for p in product_ids if p not in owned]
        if strangers:
            raise DomainError(
                ErrorCode.PRODUCT_NOT_YOURS,
                detail=f"products {strangers} are not yours",
                productIds=strangers,
            )
        await conn.execute("DELETE FROM room_products WHERE room_id = $1", room_id)
        await conn.executemany(
            "INSERT INTO room_products (room_id, product_id, position) VALUES ($1, $2, $3)",
            [(room_id, pid, i) for i, pid in enumerate(product_ids)],
        )
        unpinned = room["pinned_product_id"] is not None and room["pinned_product_id"] not in owned
        if unpinned:
            await conn.execute("UPDATE rooms SET pinned_product_id = NULL WHERE id = $1", room_id)
        items = await showcase(conn, room_id)
        told = [events.event("product", action="showcase", productIds=[p.id for p in items])]
        if unpinned:
            told.append(events.event("unpin"))

        async def tell_the_room() -> None:
            redis = events.redis()
            if redis is not None:
                # The products whose opens the room counts (clicks.py); a checkpoint repairs it.
                with contextlib.suppress(RedisError, OSError):
                    await clicks.write_showcase(redis, room_id, product_ids)
            await events.publish(room_id, *told)

        tx.after_commit(tell_the_room)
    return items


async def pin(room_id: int, host: Actor, product_id: int | None) -> ShowcaseProduct | None:
    """Pin the product being explained (讲解中); it must be in the showcase."""
    async with db.transaction() as tx:
        conn = tx.conn
        await queries.hosted_room(conn, room_id, host.id, lock=True)
        card = None
        if product_id is not None:
            card = next(
                (p for p in await showcase(conn, room_id, for_viewers=False) if p.id == product_id),
                None,
            )
            if card is None:
                raise DomainError(
                    ErrorCode.PRODUCT_NOT_IN_SHOWCASE,
                    detail=f"product {product_id} is not in the room's showcase",
                    productId=product_id,
                )
        await conn.execute(
            "UPDATE rooms SET pinned_product_id = $2 WHERE id = $1", room_id, product_id
        )
        told = events.event("unpin") if card is None else events.event("pin", product=_card(card))
        tx.after_commit(lambda: events.publish(room_id, told))
    return card


def _card(card: ShowcaseProduct) -> dict[str, Any]:
    return msgspec.to_builtins(card)
