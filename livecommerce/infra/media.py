"""Where uploaded media lives and how it is addressed.

Bytes go to an obstore object store: a folder under `VAR_DIR/media` by default, or whatever
`MEDIA_STORE_URL` names (`s3://bucket/prefix` with the usual `AWS_*` variables, an
S3-compatible endpoint through `AWS_ENDPOINT`, `gs://…`, `az://…`, `file:///…`).
Pages load every image from our own origin, `GET /media/{key}` (CSP `img-src 'self'`); that
route proxies the store, or redirects to `MEDIA_PUBLIC_URL` when one is set.

Keys are random and never rewritten (a new picture is a new key), so an answer may be cached
for a year. An image `img/ab/ab….webp` has its thumbnail beside it, `img/ab/ab….thumb.webp`:
any holder of an image URL (a product, a SKU, an order item's snapshot) finds its thumbnail
without a lookup (`thumb_url`).
"""

from __future__ import annotations

import contextlib
import functools
import re
import secrets
from pathlib import Path

import obstore
from obstore.store import LocalStore, MemoryStore, ObjectStore, from_url

from livecommerce.settings import Settings

URL_PREFIX = "/media/"
CONTENT_TYPE = "image/webp"
CACHE_CONTROL = "public, max-age=31536000, immutable"
# A full image's key; group 3 marks its thumbnail.
_KEY = re.compile(r"^img/([0-9a-f]{2})/(\1[0-9a-f]{30})(\.thumb)?\.webp$")


def new_image_key() -> str:
    """A fresh key for a full image (128 random bits; two hex digits of fan-out per folder)."""
    token = secrets.token_hex(16)
    return f"img/{token[:2]}/{token}.webp"


def thumb_key(key: str) -> str:
    return key.removesuffix(".webp") + ".thumb.webp"


def is_key(key: str) -> bool:
    """A key we could have written (a full image or a thumbnail): nothing else is looked up."""
    return _KEY.match(key) is not None


def url_of(key: str) -> str:
    return URL_PREFIX + key


def key_of(url: str) -> str | None:
    """The key of one of our full images from its URL, else None (an external URL, a
    thumbnail, anything malformed)."""
    if not url.startswith(URL_PREFIX):
        return None
    key = url[len(URL_PREFIX) :]
    match = _KEY.match(key)
    return key if match and not match.group(3) else None


def thumb_url(url: str) -> str:
    """The thumbnail of an image URL: ours have one beside them; an external image (an https
    URL a host typed) is its own thumbnail."""
    key = key_of(url)
    return url_of(thumb_key(key)) if key else url


def thumb_url_or_none(url: str | None) -> str | None:
    return thumb_url(url) if url else None


class MediaStore:
    """The object store behind `/media/`, and where a browser is sent for a key (if not us)."""

    def __init__(self, store: ObjectStore, public_url: str = "") -> None:
        self.store = store
        self.public_url = public_url.rstrip("/")
        # obstore's local and in-memory stores refuse object attributes (Content-Type).
        self._attributes = not isinstance(store, LocalStore | MemoryStore)

    async def put(self, key: str, data: bytes, content_type: str = CONTENT_TYPE) -> None:
        if self._attributes:
            await obstore.put_async(
                self.store,
                key,
                data,
                attributes={"Content-Type": content_type, "Cache-Control": CACHE_CONTROL},
            )
        else:
            await obstore.put_async(self.store, key, data)

    async def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
        try:
            result = await obstore.get_async(self.store, key)
        except FileNotFoundError:  # obstore's NotFoundError is one
            return None
        return bytes(await result.bytes_async())

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await obstore.delete_async(self.store, key)

    def redirect_of(self, key: str) -> str | None:
        """Where to send a browser for `key` instead of proxying it, if anywhere."""
        return f"{self.public_url}/{key}" if self.public_url else None


def _open(store_url: str, var_dir: str, public_url: str) -> MediaStore:
    if store_url:
        return MediaStore(from_url(store_url), public_url)
    return MediaStore(LocalStore(prefix=Path(var_dir).resolve() / "media", mkdir=True), public_url)


_opened = functools.lru_cache(maxsize=8)(_open)


def store_for(settings: Settings) -> MediaStore:
    """The media store `settings` name; one per configuration per process."""
    return _opened(settings.media_store_url, settings.var_dir, settings.media_public_url)
