from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from livecommerce.infra.schema import In, Out

Fen = Annotated[int, msgspec.Meta(ge=1, le=100_000_000)]  # up to ¥1,000,000 per unit
Stock = Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
ImageUrl = Annotated[str, msgspec.Meta(max_length=500, pattern=r"^(https?://|/static/)\S+$")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
SkuName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Description = Annotated[str, msgspec.Meta(max_length=5000)]


class SkuIn(In, frozen=True):
    name: SkuName
    price: Fen
    stock: Stock


class SkuPatch(In, frozen=True):
    """With `id`: change that SKU. Without: add a SKU (then name, price and stock are required)."""

    id: int | None = None
    name: SkuName | None = None
    price: Fen | None = None
    stock: Stock | None = None


class CreateProduct(In, frozen=True):
    title: Title
    skus: Annotated[list[SkuIn], msgspec.Meta(min_length=1, max_length=50)]
    description: Description = ""
    images: Annotated[list[ImageUrl], msgspec.Meta(max_length=10)] = []
    on_shelf: bool = True


class UpdateProduct(In, frozen=True):
    title: Title | None = None
    description: Description | None = None
    images: Annotated[list[ImageUrl], msgspec.Meta(max_length=10)] | None = None
    on_shelf: bool | None = None
    skus: Annotated[list[SkuPatch], msgspec.Meta(max_length=50)] | None = None


class SkuOut(Out):
    id: int
    name: str
    price: int
    stock: int
    sold: int


class ProductOut(Out):
    id: int
    host_id: int
    title: str
    description: str
    images: list[str]
    on_shelf: bool
    skus: list[SkuOut]
    min_price: int
    created_at: datetime
    updated_at: datetime


class ProductPage(Out):
    items: list[ProductOut]
    next_cursor: int | None = None
