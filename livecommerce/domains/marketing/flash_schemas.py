"""Flash-sale request and response bodies (camelCase JSON, money in fen)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.domains.orders.schemas import Address
from livecommerce.infra.schema import In, Out


class CreateFlashSale(In, frozen=True):
    """A flash sale of one SKU of a product on the room's showcase. It opens after
    `countdownSeconds` (10–300, counted down to every viewer) and stays open `windowMinutes`
    (1–20). `quantity` units are set aside out of the SKU's stock at once; what is left when it
    ends goes back. A price no lower than the SKU's 30-day low is refused with 409
    `flash_price_not_lowest` (its `lowest30d` says the low) unless `acknowledgeNotLowest`."""

    sku_id: int
    price: Annotated[int, msgspec.Meta(ge=1, le=1_000_000_000)]
    quantity: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    per_user_limit: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 1
    countdown_seconds: Annotated[int, msgspec.Meta(ge=0, le=100_000)] = 60
    window_minutes: Annotated[int, msgspec.Meta(ge=0, le=100_000)] = 10
    acknowledge_not_lowest: bool = False


class BuyFlash(In, frozen=True):
    """Buy units of a running flash sale: an order at the flash price (or the buyer's member
    price, if lower: they never stack), to pay like any order (POST /api/orders/{id}/pay)
    within the payment deadline, or its units go back to the sale. Ships to `addressId` or
    `address` (one of them). `payWith: "wallet"` pays it from the wallet in the same step
    (one tap, as a live room sells): the answer is the paid order, and a short wallet
    (409 insufficient_balance) leaves nothing placed and the units in the sale."""

    quantity: Annotated[int, msgspec.Meta(ge=1, le=999)] = 1
    pay_with: Literal["wallet"] | None = None
    address: Address | None = None
    address_id: int | None = None
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""
    session_id: int | None = None


class FlashSaleOut(Out):
    id: int
    room_id: int
    product_id: int
    sku_id: int
    title: str
    sku_name: str
    image_url: str | None
    price: int
    list_price: int
    lowest30d: int
    not_lowest: bool  # the price is no lower than the 30-day low (the host was warned)
    quantity: int
    per_user_limit: int
    starts_at: datetime
    ends_at: datetime
    server_now: datetime  # count down against this, not the phone's clock
    status: str
    phase: str  # upcoming | running | ended
    left: int  # units free now (live, from the gate)
    sold: int | None = None  # written when it ends
    returned: int | None = None
