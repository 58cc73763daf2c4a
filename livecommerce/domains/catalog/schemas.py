from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from livecommerce.infra.schema import In, Out

Fen = Annotated[int, msgspec.Meta(ge=1, le=100_000_000)]  # up to ¥1,000,000 per unit
Stock = Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
# An https image a host links to, a picture of ours (`/media/…`, from POST /api/uploads/images)
# or a bundled one (`/static/…`).
ImageUrl = Annotated[
    str, msgspec.Meta(max_length=500, pattern=r"^(https?://|/static/|/media/)\S+$")
]
ImageUrlOrEmpty = Annotated[
    str, msgspec.Meta(max_length=500, pattern=r"^$|^(https?://|/static/|/media/)\S+$")
]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
SkuName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Description = Annotated[str, msgspec.Meta(max_length=5000)]
# Spec names and values (颜色: 红, 蓝); three values of 16 joined with " / " fit a SKU name.
SpecName = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
SpecValue = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
Images = Annotated[list[ImageUrl], msgspec.Meta(max_length=10)]
MAX_SPECS = 3
MAX_SKUS = 100


class Spec(In, frozen=True):
    """A dimension the SKUs of a product vary by (颜色), with its values in display order."""

    name: SpecName
    values: Annotated[list[SpecValue], msgspec.Meta(min_length=1, max_length=30)]


Specs = Annotated[list[Spec], msgspec.Meta(max_length=MAX_SPECS)]
SpecValues = Annotated[list[SpecValue], msgspec.Meta(max_length=MAX_SPECS)]


class SkuIn(In, frozen=True):
    """`specValues`: one value of each of the product's specs, in their order. `name`: omitted,
    the values joined ("红 / M"); a product without specs names each SKU."""

    price: Fen
    stock: Stock
    name: SkuName | None = None
    spec_values: SpecValues = []
    image: ImageUrl | None = None


class SkuPatch(In, frozen=True):
    """With `id`: change that SKU (`remove: true` deletes it, if it was never ordered). Without:
    add a SKU (then price and stock are required, and a name or spec values)."""

    id: int | None = None
    name: SkuName | None = None
    price: Fen | None = None
    stock: Stock | None = None
    spec_values: SpecValues | None = None
    # The SKU's own picture; "" clears it (then the product's first picture is shown).
    image: ImageUrlOrEmpty | None = None
    remove: bool = False


class CreateProduct(In, frozen=True):
    title: Title
    skus: Annotated[list[SkuIn], msgspec.Meta(min_length=1, max_length=MAX_SKUS)]
    description: Description = ""
    images: Images = []
    specs: Specs = []
    on_shelf: bool = True


class UpdateProduct(In, frozen=True):
    """Every field is optional. `images` replaces the list (reorder, add, delete: the first is the
    cover); `specs` replaces the specs, and the SKUs must fit them once `skus` is applied."""

    title: Title | None = None
    description: Description | None = None
    images: Images | None = None
    specs: Specs | None = None
    on_shelf: bool | None = None
    skus: Annotated[list[SkuPatch], msgspec.Meta(max_length=MAX_SKUS)] | None = None


class SpecOut(Out):
    name: str
    values: list[str]


class SkuOut(Out):
    id: int
    name: str
    price: int
    stock: int
    sold: int
    spec_values: list[str] = []
    # As set on the SKU (None: none of its own).
    image: str | None = None
    # What to show for this SKU: its own picture, else the product's first (None: no picture).
    image_url: str | None = None
    thumb_url: str | None = None


class ProductOut(Out):
    id: int
    host_id: int
    title: str
    description: str
    # Picture URLs in display order (the first is the cover) and their thumbnails, one for one.
    images: list[str]
    on_shelf: bool
    skus: list[SkuOut]
    min_price: int
    created_at: datetime
    updated_at: datetime
    thumbs: list[str] = []
    image_url: str | None = None
    thumb_url: str | None = None
    specs: list[SpecOut] = []


class ProductPage(Out):
    items: list[ProductOut]
    next_cursor: int | None = None


class UploadOut(Out):
    """An uploaded picture, re-encoded: put `url` in a product's `images` (or a SKU's `image`)."""

    id: int
    url: str
    thumb_url: str
    width: int
    height: int
    content_type: str
    bytes: int
