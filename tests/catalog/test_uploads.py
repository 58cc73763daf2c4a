"""Uploading pictures over real HTTP (multipart/form-data), stored in the test's VAR_DIR by
obstore, read back from /media/: re-encoded, bounded, stripped, with a thumbnail; files that are
too big, not images or decompression bombs are refused with a stable code."""

from __future__ import annotations

import io
import os
import struct
import zlib

import httpx
import msgspec
from PIL import Image

from livecommerce.app import create_app
from livecommerce.domains.catalog.uploads import _WINDOW_SECONDS
from livecommerce.infra import db
from tests.support import TestUser, make_user, problem_code, serving


def picture(fmt: str = "PNG", size: tuple[int, int] = (1200, 800), **save: object) -> bytes:
    """A real picture: a gradient with a red square, so resizing has something to resample."""
    image = Image.new("RGB", size)
    for x in range(0, size[0], max(1, size[0] // 64)):
        image.paste((x * 255 // size[0], 120, 200), (x, 0, x + size[0] // 64 + 1, size[1]))
    image.paste((255, 0, 0), (10, 10, size[0] // 4, size[1] // 4))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width × height (a decompression bomb's header) over a few bytes of
    data: what a bomb looks like before anyone decodes it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


async def upload(
    client: httpx.AsyncClient,
    user: TestUser | None,
    data: bytes,
    *,
    filename: str = "photo.png",
    content_type: str = "image/png",
) -> httpx.Response:
    return await client.post(
        "/api/uploads/images",
        files={"file": (filename, data, content_type)},
        headers=user.headers if user else {},
    )


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


async def test_a_png_and_a_jpeg_come_back_as_webp_with_a_thumbnail(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    for fmt, filename, size in (("PNG", "a.png", (1200, 800)), ("JPEG", "b.jpg", (3000, 1000))):
        response = await upload(client, host, picture(fmt, size), filename=filename)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["url"].startswith("/media/img/") and body["url"].endswith(".webp")
        assert body["thumbUrl"] == body["url"].removesuffix(".webp") + ".thumb.webp"
        assert body["contentType"] == "image/webp"
        full = await client.get(body["url"])
        assert full.status_code == 200
        assert full.headers["content-type"] == "image/webp"
        assert "immutable" in full.headers["cache-control"]
        assert "max-age=31536000" in full.headers["cache-control"]
        image = opened(full.content)
        assert image.format == "WEBP"
        # At most 2048 px on the longer side, the aspect ratio kept.
        expected = size if max(size) <= 2048 else (2048, round(size[1] * 2048 / size[0]))
        assert image.size == expected == (body["width"], body["height"])
        thumb = await client.get(body["thumbUrl"])
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
        small = opened(thumb.content)
        assert max(small.size) <= 400 and max(small.size) == 400
        # The thumbnail still shows the picture: its corner is red.
        assert small.convert("RGB").getpixel((8, 8))[0] > 200
        again = await client.get(body["url"], headers={"If-None-Match": full.headers["etag"]})
        assert again.status_code == 304
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT owner_id, source_format FROM uploads ORDER BY id")
    assert [(r["owner_id"], r["source_format"]) for r in rows] == [
        (host.id, "PNG"),
        (host.id, "JPEG"),
    ]


async def test_exif_is_stripped_and_the_photo_turned_upright(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")  # any logged-in user: after-sales photos
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotated 90° clockwise
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPS
    shot = picture("JPEG", (600, 300), exif=exif.tobytes())
    assert b"SecretCam" in shot
    response = await upload(client, buyer, shot, filename="IMG_0001.JPG", content_type="image/jpeg")
    assert response.status_code == 201, response.text
    stored = (await client.get(response.json()["url"])).content
    assert b"SecretCam" not in stored and b"Exif" not in stored
    image = opened(stored)
    assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info
    assert image.size == (300, 600)  # upright: the orientation was applied, then dropped


async def test_too_big_not_an_image_and_bombs_are_refused_with_their_codes(
    client: httpx.AsyncClient, user_factory, settings
) -> None:
    host = await user_factory("host", ["host"])
    limit = settings.media_max_upload_bytes
    # Random pixels don't compress: a real PNG just over the limit.
    width, height = 1024, limit // (3 * 1024) + 4
    noise = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    big = io.BytesIO()
    noise.save(big, format="PNG", compress_level=1)
    assert limit < len(big.getvalue()) < limit + 64 * 1024
    too_big = await upload(client, host, big.getvalue())
    assert (too_big.status_code, problem_code(too_big)) == (413, "image_too_large")
    # Far past the route's own limit: refused from Content-Length before it is read.
    huge = await upload(client, host, b"\x00" * (limit * 2))
    assert huge.status_code == 413 and problem_code(huge) in ("body_too_large", "image_too_large")

    for label, data, name in (
        ("text renamed .png", b"just some text, honest\n" * 50, "cat.png"),
        ("html disguised as an image", b"<html><script>alert(1)</script></html>", "x.jpg"),
        ("empty", b"", "empty.png"),
        ("a truncated png", picture("PNG", (300, 300))[:400], "cut.png"),
        ("an svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', "a.svg"),
        ("a BMP (not a format we take)", picture("BMP", (50, 50)), "a.bmp"),
    ):
        refused = await upload(client, host, data, filename=name)
        assert (refused.status_code, problem_code(refused)) == (422, "not_an_image"), label

    bomb = png_header_only(20_000, 20_000)
    assert len(bomb) < 200
    refused = await upload(client, host, bomb, filename="bomb.png")
    assert (refused.status_code, problem_code(refused)) == (422, "image_too_many_pixels")
    # Between Pillow's warning and its error (1x–2x MAX_IMAGE_PIXELS): refused too.
    over = int((settings.media_max_pixels * 1.5) ** 0.5)
    refused = await upload(client, host, png_header_only(over, over), filename="big.png")
    assert (refused.status_code, problem_code(refused)) == (422, "image_too_many_pixels")
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM uploads") == 0


async def test_only_multipart_from_a_logged_in_user_from_our_own_site(
    client: httpx.AsyncClient, user_factory
) -> None:
    viewer = await user_factory("viewer")
    anonymous = await upload(client, None, picture())
    assert (anonymous.status_code, problem_code(anonymous)) == (401, "not_authenticated")
    as_json = await client.post(
        "/api/uploads/images", json={"file": "aGVsbG8="}, headers=viewer.headers
    )
    assert (as_json.status_code, problem_code(as_json)) == (415, "unsupported_media_type")
    # Multipart anywhere else is still refused: JSON routes take JSON only.
    elsewhere = await client.post(
        "/api/products", files={"file": ("a.png", picture(), "image/png")}, headers=viewer.headers
    )
    assert (elsewhere.status_code, problem_code(elsewhere)) == (415, "unsupported_media_type")
    # A form another site posts with the user's cookie is refused before it is read.
    forged = await client.post(
        "/api/uploads/images",
        files={"file": ("a.png", picture(), "image/png")},
        cookies={"lc_token": viewer.token},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert (forged.status_code, problem_code(forged)) == (403, "origin_not_allowed")
    no_file = await client.post(
        "/api/uploads/images", files={"other": ("a.png", b"x", "image/png")}, headers=viewer.headers
    )
    assert 400 <= no_file.status_code < 500 and problem_code(no_file)
    own_site = await client.post(
        "/api/uploads/images",
        files={"file": ("a.png", picture(size=(64, 64)), "image/png")},
        cookies={"lc_token": viewer.token},
        headers={"Origin": str(client.base_url).rstrip("/"), "Sec-Fetch-Site": "same-origin"},
    )
    assert own_site.status_code == 201, own_site.text


async def test_media_paths_serve_only_keys_we_wrote(client: httpx.AsyncClient) -> None:
    for path in (
        "/media/img/00/00000000000000000000000000000000.webp",  # well-formed, never written
        "/media/../../etc/passwd",
        "/media/img/ab/cd.webp",
        "/media/uploads.sql",
        "/media/img/ab/ab000000000000000000000000000000.png",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path


async def test_uploads_are_rate_limited_and_quota_bound_per_user(
    user_factory, settings, migrated
) -> None:
    # Tight limits on an app of its own; the session's app keeps the defaults.
    tight = msgspec.structs.replace(settings, media_uploads_per_hour=3, media_quota_bytes=1)
    app = create_app(tight)
    async with serving(app) as server, httpx.AsyncClient(base_url=server.url) as client:
        first = await make_user(app, "first")
        other = await make_user(app, "other")
        ok = await upload(client, first, picture(size=(80, 80)))
        assert ok.status_code == 201, ok.text
        # One byte of quota, and it is used: the next picture is refused before it is decoded.
        full = await upload(client, first, picture(size=(80, 80)))
        assert (full.status_code, problem_code(full)) == (403, "upload_quota_exceeded")
        # Attempts count, refused ones too: the third this hour is the last.
        await upload(client, first, b"not an image")
        limited = await upload(client, first, picture(size=(80, 80)))
        assert (limited.status_code, problem_code(limited)) == (429, "rate_limited")
        assert 1 <= int(limited.headers["retry-after"]) <= _WINDOW_SECONDS
        # Another user has a window and a quota of their own.
        theirs = await upload(client, other, picture(size=(80, 80)))
        assert theirs.status_code == 201, theirs.text
