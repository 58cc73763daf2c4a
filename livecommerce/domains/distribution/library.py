"""The distributor's product library: everything they may promote (products on shelf, rooms live
or about to be), what each level earns on it at today's price, and the one link per target they
share (made on the first tap, the same one on every tap after)."""

from __future__ import annotations

import json
from typing import Any

from asyncpg import Connection, Record

from livecommerce.domains.distribution import config, distributors
from livecommerce.domains.distribution.distributors import with_new_code
from livecommerce.domains.distribution.rules import DistributionConfig, rates_for, split
from livecommerce.domains.distribution.schemas import (
    LevelCommission,
    LibraryItem,
    LibraryLink,
    LibraryPage,
    ShareLinkOut,
)
from livecommerce.infra import db, media
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

LINK_LOCK = 0x7D16  # with the distributor id: one "find or make my link" at a time per person
LOW_STOCK = 5  # at most this many left: "only a few left"

# A room's broadcast that can still bring buyers: live now, else the next scheduled one.
_PROMOTABLE_SESSION = (
    "SELECT s.status, s.scheduled_at, s.cover_url, s.title FROM live_sessions s"
    " WHERE s.room_id = r.id AND s.status IN ('live', 'scheduled')"
    " ORDER BY (s.status = 'live') DESC, s.scheduled_at ASC NULLS LAST, s.id DESC LIMIT 1"
)

# $1 title pattern (ILIKE) or null, $2 host or null, $3 rooms wanted, $4 products wanted.
_ITEMS = f"""
WITH items AS (
  SELECT 'room'::text AS kind, r.id, r.host_id, u.display_name AS host_name, r.title,
    coalesce(nullif(cur.cover_url, ''), nullif(r.cover_url, '')) AS image,
    CASE WHEN cur.status = 'live' THEN 0 ELSE 1 END AS grp,
    cur.status AS session_status, cur.scheduled_at AS starts_at,
    NULL::bigint AS price, NULL::bigint AS max_price, NULL::bigint AS stock,
    NULL::jsonb AS commission_rates, NULL::timestamptz AS updated_at
  FROM rooms r JOIN users u ON u.id = r.host_id
  JOIN LATERAL ({_PROMOTABLE_SESSION}) cur ON true
  WHERE $3 AND ($1::text IS NULL OR r.title ILIKE $1 OR cur.title ILIKE $1)
    AND ($2::int IS NULL OR r.host_id = $2)
  UNION ALL
  SELECT 'product', p.id, p.host_id, u.display_name, p.title, p.images[1], 2, NULL, NULL,
    min(s.price), max(s.price), sum(s.stock), p.commission_rates, p.updated_at
  FROM products p JOIN users u ON u.id = p.host_id JOIN skus s ON s.product_id = p.id
  WHERE $4 AND p.on_shelf AND ($1::text IS NULL OR p.title ILIKE $1)
    AND ($2::int IS NULL OR p.host_id = $2)
  GROUP BY p.id, u.display_name
)
"""


def like_pattern(text: str) -> str:
    """`text` as a substring for ILIKE, its own % _ and \\ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def products_rates(raw: Any) -> list[int] | None:
    """A product's stored override (JSONB comes back as text), None: the platform's."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return json.loads(raw)
    return list(raw)


def _stock_state(stock: int) -> str:
    return "sold_out" if stock <= 0 else "low" if stock <= LOW_STOCK else "in_stock"


def _levels(rates: list[int], amounts: list[int]) -> list[LevelCommission]:
    return [
        LevelCommission(level=n, rate_bp=rate, amount=amount)
        for n, (rate, amount) in enumerate(zip(rates, amounts, strict=True), start=1)
    ]


async def _room_levels(
    conn: Connection, settings: DistributionConfig, room_ids: list[int]
) -> dict[int, tuple[list[LevelCommission], int]]:
    """Per room: per level the best rate and the best amount among its showcase products on
    shelf (a buyer may pick any of them), and how many there are."""
    rows = await conn.fetch(
        "SELECT rp.room_id, p.commission_rates, min(s.price) AS price"
        " FROM room_products rp JOIN products p ON p.id = rp.product_id"
        " JOIN skus s ON s.product_id = p.id"
        " WHERE rp.room_id = ANY($1::int[]) AND p.on_shelf GROUP BY rp.room_id, p.id",
        room_ids,
    )
    best: dict[int, tuple[list[int], list[int], int]] = {}
    for row in rows:
        rates = rates_for(settings, products_rates(row["commission_rates"]))
        amounts = split(row["price"], rates)
        top_rates, top_amounts, count = best.get(
            row["room_id"], ([0] * settings.levels, [0] * settings.levels, 0)
        )
        best[row["room_id"]] = (
            [max(a, b) for a, b in zip(top_rates, rates, strict=True)],
            [max(a, b) for a, b in zip(top_amounts, amounts, strict=True)],
            count + 1,
        )
    platform = rates_for(settings, None)
    return {
        room: (
            _levels(*best[room][:2]) if room in best else _levels(platform, [0] * len(platform)),
            best[room][2] if room in best else 0,
        )
        for room in room_ids
    }


async def _my_links(
    conn: Connection, user_id: int, env: Settings, rows: list[Record]
) -> dict[tuple[str, int], LibraryLink]:
    products = [r["id"] for r in rows if r["kind"] == "product"]
    rooms = [r["id"] for r in rows if r["kind"] == "room"]
    found = await conn.fetch(
        "SELECT DISTINCT ON (target, coalesce(product_id, room_id))"
        " id, code, target, coalesce(product_id, room_id) AS target_id FROM share_links"
        " WHERE distributor_id = $1 AND (product_id = ANY($2::int[]) OR room_id = ANY($3::int[]))"
        " ORDER BY target, coalesce(product_id, room_id), id",
        user_id,
        products,
        rooms,
    )
    return {
        (r["target"], r["target_id"]): LibraryLink(
            id=r["id"], code=r["code"], url=f"{env.base_url}/s/{r['code']}"
        )
        for r in found
    }


async def browse(
    env: Settings,
    user_id: int,
    *,
    q: str | None,
    host_id: int | None,
    kind: str,
    offset: int,
    limit: int,
) -> LibraryPage:
    """Live rooms, then upcoming ones (soonest first), then products on shelf (newest first)."""
    pattern = like_pattern(q.strip()) if q and q.strip() else None
    args = (pattern, host_id, kind in ("all", "room"), kind in ("all", "product"))
    async with db.connection() as conn:
        await distributors.profile(conn, user_id)
        settings = await config.load(conn, env)
        total = await conn.fetchval(_ITEMS + "SELECT count(*) FROM items", *args)
        rows = await conn.fetch(
            _ITEMS + "SELECT * FROM items"
            " ORDER BY grp, CASE WHEN grp = 1 THEN starts_at END ASC NULLS LAST, id DESC"
            " LIMIT $5 OFFSET $6",
            *args,
            limit,
            offset,
        )
        rooms = await _room_levels(conn, settings, [r["id"] for r in rows if r["kind"] == "room"])
        links = await _my_links(conn, user_id, env, list(rows))
    items = []
    for row in rows:
        image = row["image"] or None
        common: dict[str, Any] = {
            "kind": row["kind"],
            "id": row["id"],
            "title": row["title"],
            "host_id": row["host_id"],
            "host_name": row["host_name"],
            "image_url": image,
            "thumb_url": media.thumb_url_or_none(image),
            "link": links.get((row["kind"], row["id"])),
        }
        if row["kind"] == "product":
            rates = rates_for(settings, products_rates(row["commission_rates"]))
            levels = _levels(rates, split(row["price"], rates))
            items.append(
                LibraryItem(
                    **common,
                    commissions=levels,
                    my_amount=levels[0].amount if levels else 0,
                    price=row["price"],
                    max_price=row["max_price"],
                    stock=int(row["stock"]),
                    stock_state=_stock_state(int(row["stock"])),  # type: ignore[arg-type]
                    rates_overridden=row["commission_rates"] is not None,
                    updated_at=row["updated_at"],
                )
            )
        else:
            levels, count = rooms[row["id"]]
            items.append(
                LibraryItem(
                    **common,
                    commissions=levels,
                    my_amount=levels[0].amount if levels else 0,
                    status="live" if row["session_status"] == "live" else "upcoming",
                    starts_at=row["starts_at"] if row["session_status"] != "live" else None,
                    products=count,
                )
            )
    more = offset + len(rows) < total
    return LibraryPage(
        items=items,
        total=int(total),
        next_offset=offset + len(rows) if more else None,
        levels=settings.levels,
    )


async def require_active(conn: Connection, user_id: int) -> None:
    """A profile (else 409 not_a_distributor) holding the role (else 403: still in review)."""
    await distributors.profile(conn, user_id)
    if not await distributors.is_active(conn, user_id):
        raise DomainError(
            ErrorCode.FORBIDDEN,
            detail="your distributor application is waiting for review",
        )


async def check_target(conn: Connection, product_id: int | None, room_id: int | None) -> None:
    if product_id is not None and not await conn.fetchval(
        "SELECT on_shelf FROM products WHERE id = $1", product_id
    ):
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no product {product_id} on shelf")
    if room_id is not None and not await conn.fetchval(
        "SELECT 1 FROM rooms WHERE id = $1", room_id
    ):
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no room {room_id}")


def link_out(row: Record | dict[str, Any], env: Settings, clicks: int = 0) -> ShareLinkOut:
    return ShareLinkOut(
        id=row["id"],
        code=row["code"],
        target=row["target"],
        room_id=row["room_id"],
        product_id=row["product_id"],
        url=f"{env.base_url}/s/{row['code']}",
        qr_svg_url=f"{env.base_url}/s/{row['code']}/qr.svg",
        clicks=clicks,
        created_at=row["created_at"],
    )


async def ensure_link(
    env: Settings, user_id: int, *, product_id: int | None, room_id: int | None
) -> tuple[ShareLinkOut, bool]:
    """The distributor's link to a product or room: their oldest one for it, else a new one.
    Returns (link, made now). Two taps at once make one link: the lookup and the insert run
    under a per-distributor advisory lock."""
    target = "product" if product_id is not None else "room"
    async with db.transaction() as tx:
        conn = tx.conn
        await require_active(conn, user_id)
        await check_target(conn, product_id, room_id)
        await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", LINK_LOCK, user_id)
        found = await conn.fetchrow(
            "SELECT l.*, (SELECT count(*) FROM share_clicks c WHERE c.link_id = l.id) AS clicks"
            " FROM share_links l WHERE l.distributor_id = $1 AND l.target = $2"
            " AND (l.product_id = $3 OR l.room_id = $4) ORDER BY l.id LIMIT 1",
            user_id,
            target,
            product_id,
            room_id,
        )
        if found is not None:
            return link_out(found, env, found["clicks"]), False

        async def insert(code: str) -> Record:
            row = await conn.fetchrow(
                "INSERT INTO share_links"
                " (code, distributor_id, target, room_id, product_id, created_at)"
                " VALUES ($1, $2, $3, $4, $5, now()) RETURNING *",
                code,
                user_id,
                target,
                room_id,
                product_id,
            )
            if row is None:
                raise RuntimeError("INSERT ... RETURNING gave no share link row")
            return row

        made = await with_new_code(conn, insert)
    return link_out(made, env), True
