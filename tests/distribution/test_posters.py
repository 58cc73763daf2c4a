"""Share posters: a PNG drawn on the server with the product's picture, its title and price and
a QR code of the distributor's own link; drawn once, then served from the media store until
what it shows changes; only for distributors."""

from __future__ import annotations

import io

import httpx
import segno
from PIL import Image

from livecommerce.domains.distribution import poster_art
from livecommerce.domains.distribution.poster_art import PosterData, qr_geometry
from livecommerce.infra import db
from tests.distribution.helpers import chain
from tests.support import create_product, create_room, go_live, problem_code

GREEN = (40, 140, 90)


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 900), color).save(out, format="PNG")
    return out.getvalue()


def _qr_text(poster: Image.Image, url: str) -> str:
    """What the poster's QR code says: decoded by zxing-cpp when it is installed, else read
    module by module where the layout puts it and compared with segno's matrix of `url`."""
    try:
        import zxingcpp  # type: ignore[import-not-found]
    except ImportError:
        left, top, scale, side = qr_geometry(url)
        grey = poster.convert("L")
        seen = [
            [
                grey.getpixel((left + x * scale + scale // 2, top + y * scale + scale // 2)) < 128
                for x in range(side)
            ]
            for y in range(side)
        ]
        expected = [[bool(v) for v in row] for row in segno.make(url, error="m").matrix]
        # A quiet zone of white around it, or a reader would not find it.
        ring = [grey.getpixel((left - scale, top + y * scale)) for y in range(side)]
        return url if seen == expected and min(ring) > 200 else "<unreadable>"
    [found] = zxingcpp.read_barcodes(poster)
    return found.text


async def _poster(client: httpx.AsyncClient, user, **params) -> httpx.Response:
    return await client.get(
        "/api/distributors/me/posters", params=params, headers=user.headers if user else {}
    )


async def test_a_product_poster_shows_the_picture_price_and_a_qr_of_the_distributors_link(
    client: httpx.AsyncClient, user_factory, migrated
) -> None:
    host = await user_factory("host", ["host"])
    ((dist, profile),) = await chain(client, user_factory, ["dist"])
    upload = await client.post(
        "/api/uploads/images",
        files={"file": ("tea.png", _png(GREEN), "image/png")},
        headers=host.headers,
    )
    assert upload.status_code == 201, upload.text
    product = (
        await client.post(
            "/api/products",
            json={
                "title": "西湖龙井 250 克 明前特级",
                "images": [upload.json()["url"]],
                "skus": [{"name": "罐装", "price": 12_800, "stock": 5}],
            },
            headers=host.headers,
        )
    ).json()

    drawn = await _poster(client, dist, productId=product["id"])
    assert drawn.status_code == 200, drawn.text
    assert drawn.headers["content-type"] == "image/png"
    assert drawn.headers["x-poster"] == "drawn"
    image = Image.open(io.BytesIO(drawn.content))
    assert (image.format, image.size) == ("PNG", (poster_art.WIDTH, poster_art.HEIGHT))

    link = (
        await client.post(
            "/api/distributors/me/library/links",
            json={"productId": product["id"]},
            headers=dist.headers,
        )
    ).json()
    assert link["url"].endswith(f"/s/{link['code']}")
    assert _qr_text(image, link["url"]) == link["url"]
    # The product's own picture fills the top (the upload, not a placeholder).
    r, g, b = image.convert("RGB").getpixel((poster_art.WIDTH // 2, poster_art.PICTURE // 2))
    assert abs(r - GREEN[0]) + abs(g - GREEN[1]) + abs(b - GREEN[2]) < 20
    # The price is drawn in the brand colour below the picture.
    price_area = image.convert("RGB").crop(
        (poster_art.MARGIN, poster_art.PICTURE, poster_art.WIDTH // 2, poster_art.HEIGHT - 100)
    )
    colours = price_area.getcolors(maxcolors=1 << 20) or []
    assert any(
        abs(c[0] - poster_art.BRAND[0]) + abs(c[1] - poster_art.BRAND[1]) < 30 for _, c in colours
    )

    # Asked again: the same bytes from the media store, no second link, and a 304 to a
    # browser that has it.
    cached = await _poster(client, dist, productId=product["id"])
    assert (cached.headers["x-poster"], cached.content) == ("cached", drawn.content)
    async with db.connection() as conn:
        links = await conn.fetchval(
            "SELECT count(*) FROM share_links WHERE distributor_id = $1", dist.id
        )
    assert links == 1
    revalidated = await client.get(
        "/api/distributors/me/posters",
        params={"productId": product["id"]},
        headers={**dist.headers, "If-None-Match": drawn.headers["etag"]},
    )
    assert revalidated.status_code == 304

    # The host renames the product: the poster is drawn anew.
    renamed = await client.patch(
        f"/api/products/{product['id']}", json={"title": "西湖龙井 新茶"}, headers=host.headers
    )
    assert renamed.status_code == 200, renamed.text
    redrawn = await _poster(client, dist, productId=product["id"])
    assert redrawn.headers["x-poster"] == "drawn" and redrawn.content != drawn.content
    assert redrawn.headers["etag"] != drawn.headers["etag"]
    english = await _poster(client, dist, productId=product["id"], lang="en")
    assert english.status_code == 200 and english.content != redrawn.content
    assert profile["code"]  # the footer names the code; the poster is keyed by it too


async def test_a_room_poster_and_who_may_not_have_one(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    ((dist, _),) = await chain(client, user_factory, ["dist"])
    room = await create_room(client, host, title="今晚八点 品茶直播")
    await go_live(client, host, room["id"])
    product = await create_product(client, host)

    drawn = await _poster(client, dist, roomId=room["id"])
    assert drawn.status_code == 200, drawn.text
    image = Image.open(io.BytesIO(drawn.content))
    assert image.size == (poster_art.WIDTH, poster_art.HEIGHT)
    link = (
        await client.post(
            "/api/distributors/me/library/links", json={"roomId": room["id"]}, headers=dist.headers
        )
    ).json()
    assert _qr_text(image, link["url"]) == link["url"]

    guest = await _poster(client, None, productId=product["id"])
    assert guest.status_code == 401
    viewer = await user_factory("viewer")
    stranger = await _poster(client, viewer, productId=product["id"])
    assert (stranger.status_code, problem_code(stranger)) == (409, "not_a_distributor")
    neither = await _poster(client, dist)
    assert (neither.status_code, problem_code(neither)) == (400, "validation_error")
    hidden = await create_product(client, host, on_shelf=False)
    off = await _poster(client, dist, productId=hidden["id"])
    assert (off.status_code, problem_code(off)) == (404, "not_found")
    async with db.connection() as conn:
        links = await conn.fetch(
            "SELECT target FROM share_links WHERE distributor_id = $1", dist.id
        )
    assert [r["target"] for r in links] == ["room"]


def test_without_a_cjk_font_the_poster_is_still_drawn() -> None:
    data = PosterData(
        url="http://127.0.0.1:8000/s/ABCD2345",
        title="云南普洱 357 克 Pu'er cake with a very long English name that has to wrap",
        picture=b"not a picture",
        distributor="张三",
        code="ABCD2345",
        price=12_800,
        max_price=25_800,
    )
    for font in (None, poster_art.AUTO):
        image = Image.open(io.BytesIO(poster_art.draw(data, font)))
        assert (image.format, image.size) == ("PNG", (poster_art.WIDTH, poster_art.HEIGHT))
        assert _qr_text(image, data.url) == data.url
