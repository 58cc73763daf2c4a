"""The demo shop has pictures: `seed` draws one per product, stores it as the demo host's
upload and the product shows it; the media route serves it as the uploads are served."""

from __future__ import annotations

import io

from PIL import Image

from livecommerce.seed import DEMO_PRODUCTS, seed_demo


async def test_the_demo_products_have_pictures_that_load(client, migrated, app):
    await seed_demo(settings=migrated)
    await seed_demo(settings=migrated)  # a second run finds them and adds nothing
    hosts = (await client.get("/api/products?limit=50")).json()["items"]
    assert len(hosts) == len(DEMO_PRODUCTS)
    for product in hosts:
        [url] = product["images"]
        assert url.startswith("/media/") and product["thumbUrl"]
        for src in (url, product["thumbUrl"]):
            served = await client.get(src)
            assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
            picture = Image.open(io.BytesIO(served.content))
            # Not a flat fill: a drawing has many colours.
            assert len(picture.convert("RGB").getcolors(maxcolors=1 << 16) or []) > 50
