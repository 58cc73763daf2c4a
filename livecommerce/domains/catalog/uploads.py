"""Uploaded pictures: a host's product photos, a buyer's after-sales photos.

An upload is counted against its user before anything is read (a fixed hourly window in
Redis, failures included: a stream of non-images costs CPU too), read up to the size limit,
decoded and re-encoded off the event loop (at most two at a time per process: a decode holds a
raster of up to MEDIA_MAX_PIXELS), stored (image, then thumbnail), and only then recorded, so
a row always names bytes that exist.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

import structlog
from litestar.datastructures import UploadFile
from redis.exceptions import RedisError

from livecommerce.domains.catalog.schemas import UploadOut
from livecommerce.infra import db, images, media
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

log = structlog.get_logger("catalog.uploads")

_WINDOW_SECONDS = 3600
_PARALLEL_DECODES = 2
_decoders: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _decoder_slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _decoders.get(loop)
    if slots is None:
        slots = _decoders[loop] = asyncio.Semaphore(_PARALLEL_DECODES)
    return slots


async def _count_attempt(redis: Any, user_id: int, per_hour: int) -> None:
    window = int(time.time()) // _WINDOW_SECONDS
    key = f"media:uploads:{user_id}:{window}"
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.incr(key)
            pipe.expire(key, _WINDOW_SECONDS + 60)
            count, _ = await pipe.execute()
    except RedisError:
        # As logins do: an outage lets uploads through (the stored-bytes quota still holds).
        log.warning("upload_rate_unavailable")
        return
    if int(count) > per_hour:
        retry_after = (window + 1) * _WINDOW_SECONDS - int(time.time())
        raise DomainError(
            ErrorCode.RATE_LIMITED,
            detail=f"at most {per_hour} uploads an hour",
            retryAfter=max(1, retry_after),
        )


async def _read(file: UploadFile, limit: int) -> bytes:
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise DomainError(
            ErrorCode.IMAGE_TOO_LARGE,
            detail=f"an image may have {limit:,} bytes at most",
            limit=limit,
        )
    if not data:
        raise DomainError(ErrorCode.NOT_AN_IMAGE, detail="the file is empty")
    return data


async def _check_quota(user_id: int, quota: int) -> None:
    async with db.connection() as conn:
        used = await conn.fetchval(
            "SELECT coalesce(sum(bytes), 0) FROM uploads WHERE owner_id = $1", user_id
        )
    if used >= quota:
        raise DomainError(
            ErrorCode.UPLOAD_QUOTA_EXCEEDED,
            detail=f"your pictures take {used:,} bytes of the {quota:,} allowed",
        )


async def _process(data: bytes, max_pixels: int) -> images.Processed:
    async with _decoder_slots():
        try:
            return await asyncio.to_thread(images.process, data, max_pixels=max_pixels)
        except images.ImageRefused as refused:
            code = (
                ErrorCode.IMAGE_TOO_MANY_PIXELS
                if refused.reason == "too_many_pixels"
                else ErrorCode.NOT_AN_IMAGE
            )
            raise DomainError(code, detail=refused.detail) from None


async def upload_image(settings: Settings, redis: Any, actor: Actor, file: UploadFile) -> UploadOut:
    """Store one picture for `actor`; its URL goes into a product's `images` or a SKU's
    `image` (or an after-sales request)."""
    await _count_attempt(redis, actor.id, settings.media_uploads_per_hour)
    data = await _read(file, settings.media_max_upload_bytes)
    await _check_quota(actor.id, settings.media_quota_bytes)
    return await store_image(settings, actor.id, data)


async def store_image(settings: Settings, owner_id: int, data: bytes) -> UploadOut:
    """Decode, re-encode and store `data` as an upload of `owner_id` (the upload route, after
    its rate and quota checks; the demo data, with pictures it drew)."""
    processed = await _process(data, settings.media_max_pixels)
    store = media.store_for(settings)
    key = media.new_image_key()
    await store.put(key, processed.full, images.CONTENT_TYPE)
    await store.put(media.thumb_key(key), processed.thumb, images.CONTENT_TYPE)
    try:
        async with db.transaction() as tx:
            upload_id = await tx.conn.fetchval(
                "INSERT INTO uploads (owner_id, key, width, height, bytes, source_format,"
                " created_at) VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING id",
                owner_id,
                key,
                processed.width,
                processed.height,
                len(processed.full) + len(processed.thumb),
                processed.source_format[:8],
            )
    except Exception:
        # Nothing names these bytes: take them back (best effort; a stray object is harmless).
        await store.delete(key)
        await store.delete(media.thumb_key(key))
        raise
    url = media.url_of(key)
    return UploadOut(
        id=upload_id,
        url=url,
        thumb_url=media.thumb_url(url),
        width=processed.width,
        height=processed.height,
        content_type=images.CONTENT_TYPE,
        bytes=len(processed.full),
    )


async def read_media(settings: Settings, key: str) -> bytes | None:
    """The bytes behind `/media/{key}`, or None for a key we never wrote."""
    if not media.is_key(key):
        return None
    return await media.store_for(settings).get(key)
