"""The platform's gift catalogue: what viewers may send (enabled gifts), and the operator's edits.

A gift's price is money: it changes only here, in a transaction that records the operator's
action with the fields before and after (infra/audit.py). A tip snapshots the gift's name and
price when it is sent, so an edit never changes a tip already sent.
"""

from __future__ import annotations

from typing import Any

import msgspec
from asyncpg import Connection, Record

from livecommerce.domains.marketing.gifts_schemas import ChangeGift, CreateGift, GiftOut
from livecommerce.infra import audit, db
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import PROJECT_ROOT

ICONS_DIR = PROJECT_ROOT / "static" / "gifts"
_FIELDS = ("name", "name_en", "icon", "price", "enabled", "sort_order")


def gift_out(row: Record) -> GiftOut:
    return GiftOut(**{name: row[name] for name in ("id", *_FIELDS)})


def not_found(gift_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no gift {gift_id}", giftId=gift_id)


def icons() -> list[str]:
    """The icons committed under static/gifts/, as the paths a gift names."""
    return sorted(f"/static/gifts/{path.name}" for path in ICONS_DIR.glob("*.svg"))


def _check_icon(icon: str) -> None:
    if icon not in icons():
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            detail=f"{icon} is not one of the committed gift icons",
            field="icon",
        )


async def enabled_gifts(conn: Connection) -> list[GiftOut]:
    rows = await conn.fetch(
        "SELECT * FROM gifts WHERE enabled ORDER BY sort_order, price, id LIMIT 100"
    )
    return [gift_out(row) for row in rows]


async def all_gifts() -> list[GiftOut]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT * FROM gifts ORDER BY sort_order, price, id")
    return [gift_out(row) for row in rows]


async def create_gift(actor_id: int, data: CreateGift) -> GiftOut:
    _check_icon(data.icon)
    async with db.transaction() as tx:
        row = await tx.conn.fetchrow(
            "INSERT INTO gifts (name, name_en, icon, price, enabled, sort_order)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
            data.name,
            data.name_en,
            data.icon,
            data.price,
            data.enabled,
            data.sort_order,
        )
        out = gift_out(row)
        await audit.record(
            tx.conn,
            actor_id,
            "gift.create",
            "gift",
            row["id"],
            after=msgspec.to_builtins(out),
        )
    return out


async def change_gift(actor_id: int, gift_id: int, data: ChangeGift) -> GiftOut:
    """Change the given fields; an unchanged field is no change (and no audit)."""
    given: dict[str, Any] = {
        name: getattr(data, name) for name in _FIELDS if getattr(data, name) is not msgspec.UNSET
    }
    if "icon" in given:
        _check_icon(given["icon"])
    async with db.transaction() as tx:
        conn = tx.conn
        row = await conn.fetchrow("SELECT * FROM gifts WHERE id = $1 FOR UPDATE", gift_id)
        if row is None:
            raise not_found(gift_id)
        changed = {name: value for name, value in given.items() if row[name] != value}
        if not changed:
            return gift_out(row)
        before = {name: row[name] for name in changed}
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(changed, start=2))
        row = await conn.fetchrow(
            f"UPDATE gifts SET {sets}, updated_at = now() WHERE id = $1 RETURNING *",
            gift_id,
            *changed.values(),
        )
        await audit.record(
            conn,
            actor_id,
            "gift.update",
            "gift",
            gift_id,
            before=before,
            after=changed,
            reason=data.reason,
        )
    return gift_out(row)
