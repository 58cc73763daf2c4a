"""The naive baseline of the checkout bench: place + pay on the same tables, written the obvious
way.

    DATABASE_URL=... SECRET_KEY=... PORT=... .venv/bin/python -m bench.checkout_naive

Served like ours (uvicorn, uvloop, httptools, one process). What makes it naive:
- read-check-write: SELECT the stock (a balance), check it in Python, UPDATE it to the
  computed value; no conditional update, no row lock, so concurrent buyers lose updates
  (stock oversold, escrow credits lost);
- autocommit: every statement is its own transaction (no BEGIN/COMMIT around a use case),
  so a failure half-way leaves half an order;
- idempotency by SELECT-then-INSERT.
It still authenticates with Litestar's JWT (same secret and tokens as ours) and writes a
balanced ledger transaction per payment (both entries in one INSERT: the deferred
sum-to-zero trigger checks each statement's own commit).
"""

from __future__ import annotations

import hashlib
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, post
from litestar.security.jwt import Token

from bench.harness import naive_app, serve_naive


def _order_json(order: asyncpg.Record, items: list[asyncpg.Record]) -> dict[str, Any]:
    def camel(row: asyncpg.Record) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in row.items():
            head, *rest = key.split("_")
            out[head + "".join(part.title() for part in rest)] = value
        return out

    body = camel(order)
    body["items"] = [camel(item) for item in items]
    return body


def _problem(status: int, code: str, detail: str) -> Response[bytes]:
    return Response(
        msgspec.json.encode({"status": status, "code": code, "detail": detail}),
        status_code=status,
        media_type="application/problem+json",
    )


@post("/api/orders", status_code=201)
async def place(request: Request[int, Token, Any], data: dict[str, Any]) -> Response[bytes]:
    user_id = request.user
    key = request.headers.get("idempotency-key", "")
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn:  # no transaction: each statement commits on its own
        previous = await conn.fetchrow(
            "SELECT response_status, response_body FROM idempotency_keys WHERE user_id = $1"
            " AND key = $2",
            user_id,
            key,
        )
        if previous is not None and previous["response_status"] is not None:
            return Response(
                previous["response_body"].encode(),
                status_code=previous["response_status"],
                media_type="application/json",
            )
        digest = hashlib.sha256(msgspec.json.encode(data)).hexdigest()
        await conn.execute(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, expires_at)"
            " VALUES ($1, $2, $3, now(), now() + interval '24 hours')",
            user_id,
            key,
            digest,
        )
        taken = []
        for line in data["items"]:
            sku = await conn.fetchrow(
                "SELECT s.id, s.name, s.price, s.stock, s.sold, p.id AS product_id, p.title, "
                "p.host_id, p.on_shelf"
                " FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = $1",
                line["skuId"],
            )
            quantity = int(line["quantity"])
            if sku is None or not sku["on_shelf"]:
                return _problem(409, "product_unavailable", "not for sale")
            if sku["stock"] < quantity:
                return _problem(409, "out_of_stock", f"{sku['stock']} left")
            await conn.execute(
                "UPDATE skus SET stock = $2, sold = $3 WHERE id = $1",
                sku["id"],
                sku["stock"] - quantity,
                sku["sold"] + quantity,
            )
            taken.append((sku, quantity))
        total = sum(sku["price"] * qty for sku, qty in taken)
        order = await conn.fetchrow(
            "INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount, "
            "pay_amount, refunded_amount,"
            " note, payment_deadline, created_at)"
            " VALUES ($1, $2, 'pending_payment', $3, 0, $3, 0, '', now() + interval '15 minutes', "
            "now()) RETURNING *",
            user_id,
            taken[0][0]["host_id"],
            total,
        )
        items = [
            await conn.fetchrow(
                "INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, "
                "unit_price, quantity, amount,"
                " discount, paid_amount, refunded_amount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                "0, $8, 0) RETURNING *",
                order["id"],
                sku["product_id"],
                sku["id"],
                sku["title"],
                sku["name"],
                sku["price"],
                qty,
                sku["price"] * qty,
            )
            for sku, qty in taken
        ]
        body = msgspec.json.encode(_order_json(order, items))
        await conn.execute(
            "UPDATE idempotency_keys SET response_status = 201, response_body = $3"
            " WHERE user_id = $1 AND key = $2",
            user_id,
            key,
            body.decode(),
        )
    return Response(body, status_code=201, media_type="application/json")


async def _account(conn: asyncpg.Connection, user_id: int, kind: str) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT id, balance FROM accounts WHERE user_id = $1 AND kind = $2", user_id, kind
    )
    if row is None:
        await conn.execute(
            "INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, "
            "created_at)"
            " VALUES ($1, $2, 0, false, false, now()) ON CONFLICT DO NOTHING",
            user_id,
            kind,
        )
        row = await conn.fetchrow(
            "SELECT id, balance FROM accounts WHERE user_id = $1 AND kind = $2", user_id, kind
        )
    return row


@post("/api/orders/{order_id:int}/pay", status_code=200)
async def pay(
    request: Request[int, Token, Any], order_id: int, data: dict[str, Any]
) -> Response[bytes]:
    user_id = request.user
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn:
        order = await conn.fetchrow("SELECT * FROM orders WHERE id = $1", order_id)
        if order is None or order["buyer_id"] != user_id:
            return _problem(404, "not_found", f"no order {order_id}")
        if order["status"] != "pending_payment":
            return _problem(409, "invalid_transition", f"order is {order['status']}")
        amount = order["pay_amount"]
        wallet = await _account(conn, user_id, "wallet")
        if wallet["balance"] < amount:
            return _problem(409, "insufficient_balance", f"the balance is {wallet['balance']} fen")
        escrow = await _account(conn, order["host_id"], "escrow")
        payment = await conn.fetchrow(
            "INSERT INTO payments (user_id, order_id, purpose, provider, amount, status, "
            "refunded_amount, created_at)"
            " VALUES ($1, $2, 'order', 'wallet', $3, 'pending', 0, now()) RETURNING *",
            user_id,
            order_id,
            amount,
        )
        await conn.execute(
            "UPDATE payments SET status = 'succeeded', provider_ref = $2, paid_at = now()"
            " WHERE id = $1",
            payment["id"],
            f"wallet_{payment['id']}",
        )
        wallet_after, escrow_after = wallet["balance"] - amount, escrow["balance"] + amount
        await conn.execute(
            "UPDATE accounts SET balance = $2 WHERE id = $1", wallet["id"], wallet_after
        )
        await conn.execute(
            "UPDATE accounts SET balance = $2 WHERE id = $1", escrow["id"], escrow_after
        )
        txn_id = await conn.fetchval(
            "INSERT INTO ledger_transactions (business_key, kind, created_at)"
            " VALUES ($1, 'payment', now()) RETURNING id",
            f"payment:{payment['id']}",
        )
        await conn.execute(
            "INSERT INTO ledger_entries (txn_id, account_id, amount, balance_after, created_at)"
            " VALUES ($1, $2, $3, $4, now()), ($1, $5, $6, $7, now())",
            txn_id,
            wallet["id"],
            -amount,
            wallet_after,
            escrow["id"],
            amount,
            escrow_after,
        )
        paid = await conn.fetchrow(
            "UPDATE orders SET status = 'paid', paid_at = now(), payment_method = 'wallet'"
            " WHERE id = $1 RETURNING *",
            order_id,
        )
        items = await conn.fetch(
            "SELECT * FROM order_items WHERE order_id = $1 ORDER BY id", order_id
        )
    out = {
        "paymentId": payment["id"],
        "status": "succeeded",
        "amount": amount,
        "provider": "wallet",
        "payUrl": "",
        "order": _order_json(paid, items),
    }
    return Response(msgspec.json.encode(out), status_code=200, media_type="application/json")


def create_app() -> Litestar:
    return naive_app([place, pay])


if __name__ == "__main__":
    serve_naive("bench.checkout_naive:create_app")
