"""The buyer's after-sales request (售后): what is asked back, how much, why, with photos.

The host's side (approve, possibly less, or reject, with a reason) is orders/refunds.py; this
opens the refund it decides on. The amount is spread over the chosen items so that no item gives
back more than it still holds, nor more than its paid price per unit times the units asked back.
"""

from __future__ import annotations

import json

import msgspec
from asyncpg import Connection
from asyncpg.exceptions import UniqueViolationError

from livecommerce.domains.orders import prizes
from livecommerce.domains.orders.lifecycle import ensure_not_held, lock_order, parties
from livecommerce.domains.orders.queries import order_out
from livecommerce.domains.orders.rules import Action, allocate, ensure_transition
from livecommerce.domains.orders.schemas import RefundRequested, RequestRefund
from livecommerce.infra import db, media
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode


def too_large(amount: int, left: int) -> DomainError:
    return DomainError(
        ErrorCode.REFUND_TOO_LARGE,
        detail=f"{amount} fen asked, {left} fen can still be refunded",
        refundable=left,
    )


def _invalid(detail: str, field: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, detail=detail, field=field)


def item_cap(paid: int, left: int, quantity: int, asked: int | None) -> int:
    """What one item can give back for `asked` of its `quantity` units (None: all of them): its
    paid amount per unit times the units, floored, and never more than it still holds."""
    if asked is None or asked >= quantity:
        return left
    return min(left, paid * asked // quantity)


def _wanted(data: RequestRefund) -> dict[int, int | None] | None:
    """{item id: units asked back (None: all)}, or None for "everything left"."""
    if data.items and data.item_id is not None:
        raise _invalid("send items or itemId, not both", "items")
    if data.item_id is not None:
        return {data.item_id: None}
    if not data.items:
        return None
    wanted: dict[int, int | None] = {}
    for line in data.items:
        wanted[line.item_id] = (wanted.get(line.item_id) or 0) + line.quantity
    return wanted


async def _check_photos(conn: Connection, uploader_id: int, photos: list[str]) -> None:
    """Each photo is a picture this person uploaded (an id pointing at a row is checked)."""
    if not photos:
        return
    keys = [media.key_of(url) for url in photos]
    if any(key is None for key in keys):
        raise _invalid("photos are the URLs POST /api/uploads/images answered", "photos")
    found = await conn.fetchval(
        "SELECT count(DISTINCT key) FROM uploads WHERE owner_id = $1 AND key = ANY($2::text[])",
        uploader_id,
        keys,
    )
    if found != len(set(keys)):
        raise DomainError(
            ErrorCode.NOT_FOUND, detail="a photo is not one of your uploads", field="photos"
        )


async def request_refund(order_id: int, actor: Actor, data: RequestRefund) -> RefundRequested:
    """Open a refund of the order: all that is left, one item, or some units of some items.
    Answers the order (now `refunding`) with the refund it opened."""
    reason = data.reason.strip()
    photos = list(dict.fromkeys(data.photos))
    async with db.transaction() as tx:
        conn = tx.conn
        order = await lock_order(conn, order_id)
        # Whose order it is first: someone else's is 404 whatever the body says.
        target = ensure_transition(order["status"], Action.REQUEST_REFUND, parties(actor, order))
        if target is None:
            raise ValueError("a refund request always leads to refunding")
        ensure_not_held(order)
        prizes.ensure_refundable(order)  # a zero-price prize order: no money to give back
        if not reason and data.reason_code is None:
            raise _invalid("say why: a reasonCode from the list, or a reason", "reasonCode")
        wanted = _wanted(data)
        items = await conn.fetch(
            "SELECT id, quantity, paid_amount, paid_amount - refunded_amount AS left"
            " FROM order_items WHERE order_id = $1 ORDER BY id",
            order_id,
        )
        quantities: dict[str, int] = {}
        if wanted is None:
            refundable = order["pay_amount"] - order["refunded_amount"]
            weights = {row["id"]: row["left"] for row in items}
        else:
            by_id = {row["id"]: row for row in items}
            weights = {}
            for item_id, units in sorted(wanted.items()):
                row = by_id.get(item_id)
                if row is None:
                    raise DomainError(
                        ErrorCode.NOT_FOUND, detail=f"order {order_id} has no item {item_id}"
                    )
                if units is not None and units > row["quantity"]:
                    raise _invalid(
                        f"item {item_id} has {row['quantity']} units, {units} asked back",
                        "items",
                    )
                weights[item_id] = item_cap(row["paid_amount"], row["left"], row["quantity"], units)
                quantities[str(item_id)] = row["quantity"] if units is None else units
            refundable = sum(weights.values())
        amount = data.amount or refundable
        if amount > refundable or amount <= 0:
            raise too_large(amount, refundable)
        ids = sorted(weights)
        shares = allocate(amount, [weights[i] for i in ids])
        allocation = {str(i): share for i, share in zip(ids, shares, strict=True) if share}
        await _check_photos(conn, actor.id, photos)
        try:
            refund_id = await conn.fetchval(
                "INSERT INTO refunds (order_id, amount, reason, status, allocation, created_at,"
                " reason_code, quantities, photos)"
                " VALUES ($1, $2, $3, 'requested', $4, now(), $5, $6, $7) RETURNING id",
                order_id,
                amount,
                reason,
                json.dumps(allocation),
                data.reason_code or "",
                json.dumps(quantities),
                photos,
            )
        except UniqueViolationError:
            raise DomainError(
                ErrorCode.ILLEGAL_TRANSITION,
                detail="a refund of this order is already open",
            ) from None
        await conn.execute(
            "UPDATE orders SET status_before_refund = status, status = $2 WHERE id = $1",
            order_id,
            target.value,
        )
        out = await order_out(conn, order_id)
    refund = next(r for r in out.refunds if r.id == refund_id)
    return RefundRequested(**msgspec.structs.asdict(out), refund=refund)
