"""A distributor's share poster of a product or a room: drawn once per link and content (the
target's picture, title, price or broadcast, the distributor's name and code), kept in the
media store, and served from there until any of those change."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from livecommerce.domains.distribution import library
from livecommerce.domains.distribution.poster_art import VERSION as ART_VERSION
from livecommerce.domains.distribution.poster_art import PosterData, draw, font_name
from livecommerce.infra import db, media
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

CONTENT_TYPE = "image/png"
KEY_PREFIX = "posters/"  # not an `img/` key: /media/ never serves these, only this API does


@dataclass(frozen=True)
class Poster:
    png: bytes
    etag: str
    cached: bool  # served from the media store, not drawn for this request


async def _picture(env: Settings, url: str | None) -> bytes | None:
    """Our own upload's bytes (the full image: the thumbnail is 400 px, the poster's picture
    750); an external picture is not fetched (no request leaves for a URL a host typed)."""
    key = media.key_of(url or "")
    return await media.store_for(env).get(key) if key else None


def cache_key(data: PosterData, picture_url: str | None, updated_at: datetime | None) -> str:
    """The media key of this poster: one per link and per everything that is drawn."""
    parts = [
        ART_VERSION,
        font_name(),
        data.url,
        data.title,
        str(data.price),
        str(data.max_price),
        str(data.status),
        str(data.starts_at),
        data.host,
        data.distributor,
        data.code,
        data.lang,
        picture_url or "",
        updated_at.isoformat() if updated_at else "",
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}{data.code}/{digest}.png"


async def poster(
    env: Settings, user_id: int, *, product_id: int | None, room_id: int | None, lang: str
) -> Poster:
    """The poster PNG for the distributor's link to the target (made now if they have none)."""
    link, _ = await library.ensure_link(env, user_id, product_id=product_id, room_id=room_id)
    async with db.connection() as conn:
        me = await conn.fetchrow(
            "SELECT u.display_name, d.code FROM distributors d JOIN users u ON u.id = d.user_id"
            " WHERE d.user_id = $1",
            user_id,
        )
        if product_id is not None:
            target = await conn.fetchrow(
                "SELECT p.title, p.images[1] AS image, p.updated_at,"
                " min(s.price) AS price, max(s.price) AS max_price"
                " FROM products p JOIN skus s ON s.product_id = p.id"
                " WHERE p.id = $1 AND p.on_shelf GROUP BY p.id",
                product_id,
            )
        else:
            target = await conn.fetchrow(
                "SELECT r.title, u.display_name AS host,"
                " coalesce(nullif(cur.cover_url, ''), nullif(r.cover_url, '')) AS image,"
                " cur.status, cur.scheduled_at, NULL::timestamptz AS updated_at"
                " FROM rooms r JOIN users u ON u.id = r.host_id"
                " LEFT JOIN LATERAL (SELECT s.status, s.scheduled_at, s.cover_url"
                "   FROM live_sessions s WHERE s.room_id = r.id"
                "   AND s.status IN ('live', 'scheduled')"
                "   ORDER BY (s.status = 'live') DESC, s.scheduled_at ASC NULLS LAST, s.id DESC"
                "   LIMIT 1) cur ON true"
                " WHERE r.id = $1",
                room_id,
            )
    if target is None or me is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail="nothing to draw a poster of")
    starts = None
    status = None
    if room_id is not None:
        status = {"live": "live", "scheduled": "upcoming"}.get(target["status"] or "")
        if status == "upcoming" and target["scheduled_at"] is not None:
            local = target["scheduled_at"].astimezone(ZoneInfo(env.business_timezone))
            starts = (local.month, local.day, local.hour, local.minute)
    data = PosterData(
        url=link.url,
        title=target["title"],
        picture=None,
        distributor=me["display_name"],
        code=me["code"],
        lang=lang,
        price=target["price"] if product_id is not None else None,
        max_price=target["max_price"] if product_id is not None else None,
        status=status,
        starts_at=starts,
        host=target["host"] if room_id is not None else "",
    )
    key = cache_key(data, target["image"], target["updated_at"])
    etag = f'"{key.rsplit("/", 1)[-1].removesuffix(".png")}"'
    store = media.store_for(env)
    kept = await store.get(key)
    if kept is not None:
        return Poster(kept, etag, cached=True)
    picture = await _picture(env, target["image"])
    png = await asyncio.to_thread(draw, PosterData(**{**data.__dict__, "picture": picture}))
    await store.put(key, png, CONTENT_TYPE)
    return Poster(png, etag, cached=False)
