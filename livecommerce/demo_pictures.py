"""Pictures for the demo products, drawn with Pillow (no files shipped, nothing fetched): a
soft two-colour backdrop with a simple still life per product, so the demo shop's bag, buy
sheet and orders show real images from the first `make up`."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFilter

SIDE = 800
Colour = tuple[int, int, int]


def _backdrop(top: Colour, bottom: Colour) -> Image.Image:
    image = Image.new("RGB", (SIDE, SIDE), top)
    draw = ImageDraw.Draw(image)
    for y in range(SIDE):
        k = y / (SIDE - 1)
        draw.line(
            [(0, y), (SIDE, y)],
            fill=tuple(round(a + (b - a) * k) for a, b in zip(top, bottom, strict=True)),
        )
    return image


def _shadow(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    layer = Image.new("L", image.size, 0)
    ImageDraw.Draw(layer).ellipse(box, fill=90)
    image.paste((40, 40, 40), mask=layer.filter(ImageFilter.GaussianBlur(18)))


def tea_tin(body: Colour, band: Colour) -> bytes:
    image = _backdrop((246, 240, 228), (222, 210, 190))
    _shadow(image, (230, 600, 570, 680))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((260, 220, 540, 640), radius=28, fill=body)
    draw.rounded_rectangle((250, 190, 550, 250), radius=18, fill=tuple(c // 2 for c in body))
    draw.rectangle((260, 380, 540, 470), fill=band)
    draw.ellipse((360, 385, 440, 465), outline=(250, 246, 236), width=8)
    return _png(image)


def teapot(clay: Colour) -> bytes:
    image = _backdrop((236, 232, 226), (204, 196, 186))
    _shadow(image, (200, 580, 600, 670))
    draw = ImageDraw.Draw(image)
    draw.ellipse((230, 300, 570, 620), fill=clay)
    draw.polygon([(560, 420), (690, 330), (700, 350), (575, 480)], fill=clay)  # spout
    draw.arc((150, 340, 300, 540), start=90, end=270, fill=clay, width=26)  # handle
    draw.ellipse((330, 260, 470, 320), fill=tuple(c * 4 // 5 for c in clay))  # lid
    draw.ellipse((385, 225, 415, 262), fill=tuple(c * 4 // 5 for c in clay))  # knob
    return _png(image)


def tea_bags(paper: Colour, flower: Colour) -> bytes:
    image = _backdrop((252, 246, 232), (238, 222, 196))
    draw = ImageDraw.Draw(image)
    for i, (x, y) in enumerate([(180, 260), (360, 320), (540, 250), (270, 470), (470, 500)]):
        _shadow(image, (x - 10, y + 150, x + 150, y + 190))
        draw.rounded_rectangle((x, y, x + 140, y + 170), radius=14, fill=paper)
        draw.line([(x + 70, y), (x + 70, y - 60 - 10 * i)], fill=(150, 130, 100), width=3)
        for dx, dy in ((50, 70), (85, 95), (60, 115)):
            draw.ellipse((x + dx - 9, y + dy - 9, x + dx + 9, y + dy + 9), fill=flower)
    return _png(image)


def tasting_set(colours: list[Colour]) -> bytes:
    image = _backdrop((244, 236, 242), (214, 200, 222))
    draw = ImageDraw.Draw(image)
    for i, colour in enumerate(colours):
        x = 150 + i * 180
        _shadow(image, (x - 10, 560, x + 150, 620))
        draw.rounded_rectangle((x, 320, x + 140, 590), radius=20, fill=colour)
        draw.rectangle((x, 420, x + 140, 450), fill=(252, 248, 240))
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# One per demo product, in DEMO_PRODUCTS order (livecommerce/seed.py).
DRAWINGS = (
    lambda: tea_tin((74, 130, 92), (196, 60, 60)),
    lambda: teapot((140, 74, 52)),
    lambda: tea_bags((250, 250, 244), (232, 168, 48)),
    lambda: tasting_set([(74, 130, 92), (180, 120, 60), (120, 60, 40)]),
)
