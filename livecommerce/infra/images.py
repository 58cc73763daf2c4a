"""Uploaded pictures made safe to serve: decoded by Pillow (a few formats only), re-encoded as
WebP without any metadata, bounded in size, with a thumbnail. Pure CPU work on bytes; the
caller runs it in a thread.

What is served is never the uploaded file: only pixels survive the re-encode, so EXIF (GPS
positions of a buyer's after-sales photo), ICC profiles, comments and whatever a disguised or
polyglot file carried after its image data are gone.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# Formats a phone or a browser produces. Pillow knows dozens more (EPS would run Ghostscript,
# PSD and TGA parsers see little use): those are refused before any of their code runs.
# (A phone's multi-picture JPEG opens through "JPEG" as an MPO image.)
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
FULL_SIDE = 2048
THUMB_SIDE = 400
CONTENT_TYPE = "image/webp"
EXTENSION = "webp"


class ImageRefused(Exception):
    """Not an image we accept; `reason` is `not_an_image` or `too_many_pixels`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Processed:
    full: bytes
    thumb: bytes
    width: int
    height: int
    source_format: str


# Past MAX_IMAGE_PIXELS Pillow only warns (it raises past twice that); `_decode` refuses those
# itself, so the warning would say nothing new.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    # Pillow's bomb guard, read when a header is parsed (before any pixel is decoded).
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError:
        raise ImageRefused(
            "too_many_pixels", f"more than {max_pixels:,} pixels: refused unread"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ImageRefused(
            "not_an_image", "this file is not a JPEG, PNG, WebP or GIF image"
        ) from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        image.close()
        raise ImageRefused(
            "too_many_pixels",
            f"{width}×{height} is more than the {max_pixels:,} pixels allowed",
        )
    if image.format in ("JPEG", "MPO"):
        # Decode a big JPEG at 1/2, 1/4 or 1/8 scale straight away: a 48 MP photo never needs
        # its full raster to become 2048 px.
        image.draft("RGB", (FULL_SIDE, FULL_SIDE))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        image.close()
        raise ImageRefused("not_an_image", "the image data is damaged or truncated") from None
    return image


def _encode(image: Image.Image, side: int, quality: int) -> tuple[bytes, tuple[int, int]]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, icc_profile= or xmp=: the file carries pixels only.
    copy.save(out, format="WEBP", quality=quality, method=4)
    return out.getvalue(), copy.size


def process(data: bytes, *, max_pixels: int) -> Processed:
    """Decode `data` (raise ImageRefused), turn it upright by its EXIF orientation, and encode
    a version at most FULL_SIDE px on its longer side and a thumbnail of THUMB_SIDE px."""
    image = _decode(data, max_pixels)
    source_format = image.format or ""
    try:
        upright = ImageOps.exif_transpose(image) or image
        has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
            upright.mode == "P" and "transparency" in upright.info
        )
        pixels = upright.convert("RGBA" if has_alpha else "RGB")
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRefused("not_an_image", "the image data could not be decoded") from None
    finally:
        image.close()
    full, (width, height) = _encode(pixels, FULL_SIDE, 85)
    thumb, _ = _encode(pixels, THUMB_SIDE, 80)
    return Processed(
        full=full, thumb=thumb, width=width, height=height, source_format=source_format
    )
