"""The buyer's address book: up to ADDRESS_BOOK_LIMIT entries, exactly one of them the default
while the book is not empty.

Every change takes a per-user advisory lock first, so the count checked is the count written
(two tabs adding the 20th entry at once add one) and the default moves in one step; the partial
unique index `addresses_one_default` is the last line of defence. An entry belongs to its user:
anyone else's id is 404, as if it did not exist.

Orders copy the entry they are placed with (orders/services.py), so what is edited or deleted
here never changes an order.
"""

from __future__ import annotations

from asyncpg import Connection, Record

from livecommerce.domains.accounts.schemas import AddressBook, AddressIn, AddressOut, AddressPatch
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

ADDRESS_BOOK_LIMIT = 20
# pg_advisory_xact_lock(ADDRESS_LOCK, user id): one change of a user's book at a time.
ADDRESS_LOCK = 0x0ADD_0001

_TEXT_FIELDS = ("name", "phone", "province", "city", "district", "detail")


def _out(row: Record) -> AddressOut:
    return AddressOut(
        id=row["id"],
        name=row["name"],
        phone=row["phone"],
        province=row["province"],
        city=row["city"],
        district=row["district"],
        detail=row["detail"],
        is_default=row["is_default"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def not_found(address_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"you have no address {address_id}")


def _cleaned(field: str, value: str, *, required: bool) -> str:
    """Whitespace around a value is dropped; a required field of only whitespace is refused
    (min_length counted the spaces)."""
    cleaned = " ".join(value.split()) if field != "detail" else value.strip()
    if required and not cleaned:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, detail=f"{field} must not be blank", field=field
        )
    return cleaned


async def _lock_book(conn: Connection, user_id: int) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", ADDRESS_LOCK, user_id)


async def _owned(conn: Connection, user_id: int, address_id: int, *, lock: bool) -> Record:
    row = await conn.fetchrow(
        "SELECT * FROM addresses WHERE id = $1 AND user_id = $2" + (" FOR UPDATE" if lock else ""),
        address_id,
        user_id,
    )
    if row is None:
        raise not_found(address_id)
    return row


async def book(user_id: int) -> AddressBook:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM addresses WHERE user_id = $1"
            " ORDER BY is_default DESC, updated_at DESC, id DESC",
            user_id,
        )
    return AddressBook(items=[_out(row) for row in rows], limit=ADDRESS_BOOK_LIMIT)


async def get(conn: Connection, user_id: int, address_id: int) -> AddressOut:
    """The user's own entry (someone else's is 404): what an order copies."""
    return _out(await _owned(conn, user_id, address_id, lock=False))


async def get_address(user_id: int, address_id: int) -> AddressOut:
    async with db.connection() as conn:
        return await get(conn, user_id, address_id)


async def add(user_id: int, data: AddressIn) -> AddressOut:
    values = {f: _cleaned(f, getattr(data, f), required=f != "district") for f in _TEXT_FIELDS}
    async with db.transaction() as tx:
        conn = tx.conn
        await _lock_book(conn, user_id)
        count = await conn.fetchval("SELECT count(*) FROM addresses WHERE user_id = $1", user_id)
        if count >= ADDRESS_BOOK_LIMIT:
            raise DomainError(
                ErrorCode.ADDRESS_BOOK_FULL,
                detail=f"an address book holds {ADDRESS_BOOK_LIMIT} addresses: delete one first",
                limit=ADDRESS_BOOK_LIMIT,
            )
        default = data.is_default or count == 0
        if default:
            await conn.execute(
                "UPDATE addresses SET is_default = false WHERE user_id = $1 AND is_default",
                user_id,
            )
        row = await conn.fetchrow(
            "INSERT INTO addresses (user_id, name, phone, province, city, district, detail,"
            " is_default, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now()) RETURNING *",
            user_id,
            *(values[f] for f in _TEXT_FIELDS),
            default,
        )
    return _out(row)


async def change(user_id: int, address_id: int, data: AddressPatch) -> AddressOut:
    changes: dict[str, str | bool] = {
        f: _cleaned(f, value, required=f != "district")
        for f in _TEXT_FIELDS
        if (value := getattr(data, f)) is not None
    }
    async with db.transaction() as tx:
        conn = tx.conn
        await _lock_book(conn, user_id)
        row = await _owned(conn, user_id, address_id, lock=True)
        if data.is_default is False and row["is_default"]:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                detail="the default address can't be unset: make another address the default",
                field="isDefault",
            )
        if data.is_default and not row["is_default"]:
            await conn.execute(
                "UPDATE addresses SET is_default = false WHERE user_id = $1 AND is_default",
                user_id,
            )
            changes["is_default"] = True
        if changes:
            # Column names come from _TEXT_FIELDS and "is_default" only, never from input.
            sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(changes, start=3))
            row = await conn.fetchrow(
                f"UPDATE addresses SET {sets}, updated_at = now()"
                " WHERE id = $1 AND user_id = $2 RETURNING *",
                address_id,
                user_id,
                *changes.values(),
            )
    return _out(row)


async def make_default(user_id: int, address_id: int) -> AddressOut:
    return await change(user_id, address_id, AddressPatch(is_default=True))


async def remove(user_id: int, address_id: int) -> None:
    """Delete an entry; when it was the default, the most recently changed other entry becomes
    the default (a non-empty book always has one)."""
    async with db.transaction() as tx:
        conn = tx.conn
        await _lock_book(conn, user_id)
        row = await _owned(conn, user_id, address_id, lock=True)
        await conn.execute("DELETE FROM addresses WHERE id = $1", address_id)
        if row["is_default"]:
            await conn.execute(
                "UPDATE addresses SET is_default = true WHERE id = ("
                " SELECT id FROM addresses WHERE user_id = $1"
                " ORDER BY updated_at DESC, id DESC LIMIT 1)",
                user_id,
            )
