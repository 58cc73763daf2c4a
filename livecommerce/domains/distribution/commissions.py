"""Commissions through an order's life, each step inside the order's own transaction:

- placed: the chain (distributor, their parent, ...) and each item's rates are snapshotted on
  `orders.attribution`, so later changes of the tree or the settings don't touch this order;
- paid: one pending commission per (item, level) on the item's paid amount (after coupons);
  the unique key makes a repeated hook a no-op;
- refunded: each commission shrinks to the commission on what the buyer kept (pro rata);
- completed: the pending ones become due and their total leaves the host's share for the
  platform's commission clearing account; the batch job (settlement.py) pays them into wallets.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.distribution import (
    bindings,
    config,
    distributors,
    products,
    rules,
    settlement,
)
from livecommerce.domains.distribution.rules import net, rates_for, reversed_total, split
from livecommerce.domains.ledger import Kind
from livecommerce.infra import queue
from livecommerce.infra.db import Tx


async def snapshot_chain(tx: Tx, order: Record, items: list[Record]) -> None:
    """OrderHooks.placed: bind a cookie referral, then snapshot who earns what on this order."""
    conn = tx.conn
    settings = await config.load(conn)
    buyer = order["buyer_id"]
    binding_id = await bindings.bind_from_cookie(conn, settings, buyer, bindings.REFERRAL.get())
    live = await bindings.live_binding(conn, buyer)
    start, link_id = None, None
    if settings.self_purchase_commission and await distributors.is_active(conn, buyer):
        start = buyer
    elif live is not None:
        start, link_id, binding_id = live["distributor_id"], live["link_id"], live["id"]
    if start is None:
        return
    # Level n is the n-th distributor up from the start; a level whose distributor is not active
    # (role pending or withdrawn) earns nothing, and the buyer never earns on their own order
    # unless self-purchase commission is on.
    above = await distributors.ancestry(conn, start, settings.levels)
    active = {row["user_id"] for row in above if row["active"]}
    chain = [
        {"level": level, "userId": user}
        for level, user in enumerate(
            rules.chain(start, distributors.parents(above), settings.levels), start=1
        )
        if user in active and (user != buyer or settings.self_purchase_commission)
    ]
    if not chain:
        return
    overrides = await products.overrides(conn, list({i["product_id"] for i in items}))
    attribution = {
        "distributorId": start,
        "bindingId": binding_id,
        "linkId": link_id,
        "selfPurchase": start == buyer,
        "chain": chain,
        "rates": {str(i["id"]): rates_for(settings, overrides.get(i["product_id"])) for i in items},
    }
    await conn.execute(
        "UPDATE orders SET attribution = $2 WHERE id = $1", order["id"], json.dumps(attribution)
    )


def _attribution(order: Record) -> dict[str, Any] | None:
    raw = order["attribution"]
    return json.loads(raw) if isinstance(raw, str) else raw


async def create_pending(tx: Tx, order: Record) -> None:
    """OrderHooks.paid: pending commissions on what was actually paid per item, one per
    (item, level)."""
    conn = tx.conn
    attribution = _attribution(order)
    if not attribution or not attribution.get("chain"):
        return
    # item, level, distributor, paid, rate, amount
    rows: list[tuple[int, int, int, int, int, int]] = []
    for item in await conn.fetch(
        "SELECT id, paid_amount FROM order_items WHERE order_id = $1 ORDER BY id", order["id"]
    ):
        paid = item["paid_amount"]
        rates = attribution["rates"].get(str(item["id"]), [])
        amounts = split(paid, rates)
        for link in attribution["chain"]:
            level = link["level"]
            if level <= len(rates) and amounts[level - 1] > 0:
                rows.append(
                    (item["id"], level, link["userId"], paid, rates[level - 1], amounts[level - 1])
                )
    if not rows:
        return
    await conn.execute(
        "INSERT INTO commissions (order_id, order_item_id, level, distributor_id, buyer_id,"
        " base_amount, rate_bp, amount, reversed_amount, status, reversal_reason, created_at)"
        " SELECT $1, r.item, r.level, r.dist, $2, r.paid, r.rate, r.amount, 0, 'pending', '', now()"
        " FROM unnest($3::int[], $4::int[], $5::int[], $6::bigint[], $7::int[], $8::bigint[])"
        "   AS r(item, level, dist, paid, rate, amount)"
        " ON CONFLICT (order_item_id, level) DO NOTHING",
        order["id"],
        order["buyer_id"],
        *[list(col) for col in zip(*rows, strict=True)],
    )


async def _lock_clawback_accounts(
    conn: Connection, settings: rules.DistributionConfig, order: Record, rows: list[Record]
) -> None:
    """Lock the accounts the clawbacks of settled `rows` will post to, by ascending id (the
    ledger's lock order), before any of them: two refunds after completion whose chains name
    the same distributors in another order would otherwise wait on each other in a circle."""
    settled = sorted({row["distributor_id"] for row in rows if row["status"] == "settled"})
    if not settled:
        return
    accounts = [await ledger.account_id(conn, order["host_id"], Kind.RECEIVABLE)]
    for distributor in settled:
        accounts.append(await ledger.account_id(conn, distributor, Kind.WALLET))
        if settings.clawback_policy == "carry_debt":
            accounts.append(await ledger.account_id(conn, distributor, Kind.DEBT))
    for account in sorted(accounts):
        await ledger.lock_balance(conn, account)


async def reverse_for_refund(tx: Tx, order: Record, refunded: dict[int, int]) -> None:
    """OrderHooks.refunded: shrink each commission of the refunded items to the commission on
    what is kept. Pending ones just shrink; due ones give the difference back to the host from
    the clearing account; settled ones are clawed back from the wallet per the operator's policy."""
    conn = tx.conn
    rows = await conn.fetch(
        "SELECT c.*, i.paid_amount, i.refunded_amount AS item_refunded FROM commissions c"
        " JOIN order_items i ON i.id = c.order_item_id"
        " WHERE c.order_item_id = ANY($1::int[]) AND c.status <> 'reversed'"
        " ORDER BY c.id FOR UPDATE OF c",
        list(refunded),
    )
    if not rows:
        return
    settings = await config.load(conn)
    await _lock_clawback_accounts(conn, settings, order, rows)
    returned_to_host = 0
    for row in rows:
        target = reversed_total(
            row["amount"], row["rate_bp"], row["paid_amount"], row["item_refunded"]
        )
        delta = target - row["reversed_amount"]
        if delta <= 0:
            continue
        item = row["order_item_id"]
        reason = f"refund of {refunded.get(item, 0)} fen on item {item}: {delta} fen reversed"
        status = row["status"]
        if status == "due":
            returned_to_host += delta
        elif status == "settled":
            reason += await settlement.claw_back(conn, settings, row, delta, target)
        full = target == row["amount"] and status in ("pending", "due")
        await conn.execute(
            "UPDATE commissions SET reversed_amount = $2, reversal_reason = $3, status = $4"
            " WHERE id = $1",
            row["id"],
            target,
            reason,
            "reversed" if full else status,
        )
    if returned_to_host:
        clearing = await ledger.account_id(conn, None, Kind.COMMISSION)
        receivable = await ledger.account_id(conn, order["host_id"], Kind.RECEIVABLE)
        key = f"order:{order['id']}:commission-return:{order['refunded_amount']}"
        await ledger.post(
            conn,
            key,
            "commission_reversal",
            [(clearing, -returned_to_host), (receivable, returned_to_host)],
        )


SETTLE_WAKE_SECONDS = 5


async def on_settlement(tx: Tx, order: Record) -> list[tuple[int, int]]:
    """OrderHooks.completed: the order completed; its pending commissions become due and their
    total is taken from the host's share into the clearing account (one derived platform row:
    no lock)."""
    conn = tx.conn
    rows = await conn.fetch(
        "UPDATE commissions SET status = 'due', due_at = now()"
        " WHERE order_id = $1 AND status = 'pending' RETURNING amount, reversed_amount",
        order["id"],
    )
    total = sum(net(row["amount"], row["reversed_amount"]) for row in rows)
    if total <= 0:
        return []
    # Wake the batch at the end of this 5 s window rather than at its next half-minute: one job
    # per window however many orders complete in it (arq refuses a job id it has seen), and it
    # runs after the window's last completion. The cron still catches anything missed.
    window = int(time.time()) // SETTLE_WAKE_SECONDS + 1
    wake_at = datetime.fromtimestamp(window * SETTLE_WAKE_SECONDS, UTC)
    tx.after_commit(
        lambda: queue.enqueue(
            "settle_due_commissions", job_id=f"settle-wake:{window}", defer_until=wake_at
        )
    )
    return [(await ledger.account_id(conn, None, Kind.COMMISSION), total)]
