"""Drawing a share poster (pure CPU on values: the caller runs it in a thread): the picture, the
title, the price in ¥ (or the room's broadcast), a QR code of the share link and who recommends
it. Chinese needs a CJK font: the system's (fontconfig's first for :lang=zh), else Pillow's
own, which draws Latin only but never fails."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont, ImageOps

WIDTH, HEIGHT = 750, 1180
PICTURE = 750  # the square picture on top
MARGIN = 40
QR_BOX = 240  # the QR code's side at most (with its quiet zone), right of the title
QR_BORDER = 2  # quiet-zone modules: the white band around it is part of the poster's white
QR_TOP = PICTURE + 40
BRAND = (254, 44, 85)  # --brand of static/css/base.css
INK = (28, 28, 34)
MUTED = (110, 110, 120)
BAND = (246, 246, 248)
VERSION = "1"  # part of every cache key: a new layout draws every poster anew
AUTO = "auto"  # draw()'s font: the system's CJK font, else Pillow's

# Checked after fontconfig, in order: Debian's fonts-wqy-microhei, fonts-noto-cjk, macOS.
_KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)

LABELS = {
    "zh-CN": {
        "scan": "长按识别二维码",
        "by": "{name} 推荐 · 推广码 {code}",
        "from": "起",
        "live": "直播中",
        "upcoming": "即将开播 {at}",
        "host": "主播 {name}",
        "at": "{month}月{day}日 {hour:02d}:{minute:02d}",
    },
    "en": {
        "scan": "Scan to open",
        "by": "Recommended by {name} · code {code}",
        "from": "from",
        "live": "LIVE",
        "upcoming": "Starts {at}",
        "host": "Host {name}",
        "at": "{mon} {day}, {hour:02d}:{minute:02d}",
    },
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PosterData:
    url: str  # what the QR code says: the share link
    title: str
    picture: bytes | None  # the product's or room's image (any Pillow format), None: a placeholder
    distributor: str
    code: str
    lang: str = "zh-CN"
    price: int | None = None  # fen, the cheapest SKU (a product)
    max_price: int | None = None
    status: str | None = None  # live | upcoming (a room)
    starts_at: tuple[int, int, int, int] | None = None  # month, day, hour, minute (local)
    host: str = ""


@functools.cache
def cjk_font() -> str | None:
    """The path of a font with Chinese glyphs on this system, or None."""
    if shutil.which("fc-list"):
        try:
            found = subprocess.run(
                ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=5
            ).stdout
        except (OSError, subprocess.SubprocessError):
            found = ""
        paths = sorted(line.split(":")[0].strip() for line in found.splitlines() if line.strip())
        # Prefer the fonts we know render well at poster sizes, then any other.
        for known in _KNOWN_FONTS:
            if known in paths:
                return known
        if paths:
            return paths[0]
    return next((path for path in _KNOWN_FONTS if Path(path).exists()), None)


@functools.cache
def _font(size: int, path: str | None) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


def font_name() -> str:
    """Which font the posters use (part of the cache key: a font installed later redraws)."""
    return cjk_font() or "pillow-default"


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def qr_geometry(url: str) -> tuple[int, int, int, int]:
    """Where the QR code of `url` is drawn: (left, top, pixels per module, modules per side
    without the quiet zone). A reader of the poster (a test) finds each module from these."""
    side = int(segno.make(url, error="m").symbol_size(scale=1, border=0)[0])
    scale = max(QR_BOX // (side + 2 * QR_BORDER), 1)
    left = WIDTH - MARGIN - (side + 2 * QR_BORDER) * scale + QR_BORDER * scale
    return left, QR_TOP + QR_BORDER * scale, scale, side


def _wrap(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: int,
    lines: int,
) -> list[str]:
    """Greedy wrap by character (Chinese has no spaces; a Latin line breaks at its last space
    when it has one), at most `lines` lines, the last one cut with an ellipsis."""
    out: list[str] = []
    rest = text.strip()
    while rest and len(out) < lines:
        end = len(rest)
        while end > 1 and draw.textlength(rest[:end], font=font) > width:
            end -= 1
        if end < len(rest) and " " in rest[:end] and not rest[end].isspace():
            end = rest[:end].rindex(" ") or end
        out.append(rest[:end].rstrip())
        rest = rest[end:].lstrip()
    if rest and out:
        last = out[-1]
        while last and draw.textlength(last + "…", font=font) > width:
            last = last[:-1]
        out[-1] = last + "…"
    return out


def _picture(data: PosterData, path: str | None) -> Image.Image:
    if data.picture:
        try:
            with Image.open(io.BytesIO(data.picture)) as opened:
                return ImageOps.fit(opened.convert("RGB"), (PICTURE, PICTURE))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            pass
    # No picture (or one we can't read): the brand colour with the title's first character.
    canvas = Image.new("RGB", (PICTURE, PICTURE), BRAND)
    draw = ImageDraw.Draw(canvas)
    initial = (data.title.strip() or "?")[0]
    big = _font(300, path)
    draw.text((PICTURE / 2, PICTURE / 2), initial, font=big, fill="white", anchor="mm")
    return canvas


def _qr(url: str) -> Image.Image:
    _, _, scale, side = qr_geometry(url)
    qr = segno.make(url, error="m")
    pixels = Image.new("1", (side, side), 1)
    for y, row in enumerate(qr.matrix_iter(scale=1, border=0)):
        for x, dark in enumerate(row):
            if dark:
                pixels.putpixel((x, y), 0)
    return pixels.resize((side * scale, side * scale), Image.Resampling.NEAREST)


def _when(data: PosterData, labels: dict[str, str]) -> str:
    if data.starts_at is None:
        return ""
    month, day, hour, minute = data.starts_at
    return labels["at"].format(
        month=month, mon=_MONTHS[month - 1], day=day, hour=hour, minute=minute
    )


def draw(data: PosterData, font: str | None = AUTO) -> bytes:
    """The poster as PNG bytes, WIDTH x HEIGHT, in `font` (a path; None: Pillow's own; by
    default the system's CJK font if there is one)."""
    labels = LABELS.get(data.lang, LABELS["zh-CN"])
    path = cjk_font() if font == AUTO else font
    poster = Image.new("RGB", (WIDTH, HEIGHT), "white")
    poster.paste(_picture(data, path), (0, 0))
    pen = ImageDraw.Draw(poster)
    if data.status:
        badge = (
            labels["live"]
            if data.status == "live"
            else labels["upcoming"].format(at=_when(data, labels))
        )
        small = _font(28, path)
        box = pen.textbbox((MARGIN + 18, MARGIN + 10), badge, font=small)
        pen.rounded_rectangle(
            (MARGIN, MARGIN, box[2] + 18, box[3] + 12), radius=24, fill=(20, 20, 24)
        )
        pen.text((MARGIN + 18, MARGIN + 10), badge, font=small, fill="white")

    left, top, scale, side = qr_geometry(data.url)
    poster.paste(_qr(data.url), (left, top))
    text_width = left - QR_BORDER * scale - MARGIN - 16
    pen.text(
        (left + side * scale / 2, top + side * scale + QR_BORDER * scale + 8),
        labels["scan"],
        font=_font(22, path),
        fill=MUTED,
        anchor="ma",
    )

    title_font = _font(36, path)
    y = QR_TOP + 4
    for line in _wrap(pen, data.title, title_font, text_width, 3):
        pen.text((MARGIN, y), line, font=title_font, fill=INK)
        y += 50
    y += 14
    if data.price is not None:
        price = yuan(data.price)
        pen.text((MARGIN, y), price, font=_font(60, path), fill=BRAND)
        if data.max_price is not None and data.max_price > data.price:
            after = MARGIN + pen.textlength(price, font=_font(60, path)) + 10
            pen.text((after, y + 30), labels["from"], font=_font(26, path), fill=MUTED)
    elif data.host:
        pen.text(
            (MARGIN, y), labels["host"].format(name=data.host), font=_font(30, path), fill=MUTED
        )

    pen.rectangle((0, HEIGHT - 100, WIDTH, HEIGHT), fill=BAND)
    footer = labels["by"].format(name=data.distributor, code=data.code)
    footer_font = _font(28, path)
    lines = _wrap(pen, footer, footer_font, WIDTH - 2 * MARGIN, 1)
    pen.text(
        (MARGIN, HEIGHT - 50), lines[0] if lines else "", font=footer_font, fill=INK, anchor="lm"
    )
    out = io.BytesIO()
    poster.save(out, format="PNG", optimize=True)
    return out.getvalue()
