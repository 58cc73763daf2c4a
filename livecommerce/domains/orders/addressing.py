"""Where an order ships: an entry of the buyer's address book or an address typed for it, copied
onto the order when it is placed (orders.address), so a later edit of the book changes nothing.

Every product is shipped today (the catalog has no virtual goods), so every order needs one.
"""

from __future__ import annotations

import msgspec
from asyncpg import Connection

from livecommerce.domains.accounts import addresses
from livecommerce.domains.orders.schemas import AddressOnOrder, PlaceOrder
from livecommerce.infra.errors import DomainError, ErrorCode


def one_line(*parts: str) -> str:
    """广东省 深圳市 南山区 科技园路 1 号: the parts that are there, space-separated."""
    return " ".join(p.strip() for p in parts if p and p.strip())


def check_given(data: PlaceOrder) -> None:
    """Before anything is written: exactly one of `addressId` and `address`, and an inline
    address says where (`detail` or `line`)."""
    if data.address_id is None and data.address is None:
        raise DomainError(
            ErrorCode.ADDRESS_REQUIRED,
            detail="say where the order ships: addressId (from your address book) or address",
        )
    if data.address_id is not None and data.address is not None:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            detail="send addressId or address, not both",
            field="address",
        )
    inline = data.address
    if inline is not None and not (inline.detail.strip() or inline.line.strip()):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            detail="an address needs its street (detail) or the whole of it (line)",
            field="address.detail",
        )
    if inline is not None and not inline.name.strip():
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, detail="name must not be blank", field="address.name"
        )


async def copy_for_order(conn: Connection, buyer_id: int, data: PlaceOrder) -> str:
    """The JSON the order keeps: the buyer's own book entry (someone else's id is 404) or the
    inline address, in one shape."""
    if data.address_id is not None:
        entry = await addresses.get(conn, buyer_id, data.address_id)
        copy = AddressOnOrder(
            name=entry.name,
            phone=entry.phone,
            line=one_line(entry.province, entry.city, entry.district, entry.detail),
            province=entry.province,
            city=entry.city,
            district=entry.district,
            detail=entry.detail,
            address_id=entry.id,
        )
    elif data.address is not None:
        inline = data.address
        copy = AddressOnOrder(
            name=inline.name.strip(),
            phone=inline.phone,
            line=inline.line.strip()
            or one_line(inline.province, inline.city, inline.district, inline.detail),
            province=inline.province.strip(),
            city=inline.city.strip(),
            district=inline.district.strip(),
            detail=inline.detail.strip(),
        )
    else:
        raise ValueError("check_given() runs before an order is written")
    return msgspec.json.encode(copy).decode()
