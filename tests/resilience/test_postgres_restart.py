"""PostgreSQL crashed (immediate shutdown) and restarted (fast shutdown) in the middle of a
checkout storm, under an api process that is never restarted. Afterwards every order the api
acknowledged with a 201 is there with its items, none is half-written, stock and sold add up,
every payment the api acknowledged is in the ledger once, and the ledger balances.

Runs its own embedded PostgreSQL and Redis (data under tmp) so it can stop them without
disturbing the session's servers; users come through the API (sign-up, role application)."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.ledger_checks import ledger_problems
from livecommerce.infra.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.resilience.conftest import storm_client
from tests.resilience.invariants import fmt, stock_problems
from tests.resilience.processes import ApiProcess, app_env, migrate, wait_until
from tests.support import ADDRESS, complete_on_sandbox

STOCK = 100_000
PRICE = 990
SHOPPERS = 16
RETRIES = 40


async def _register(
    client: httpx.AsyncClient, name: str, role: str | None = None
) -> dict[str, str]:
    made = await client.post(
        "/api/auth/register", json={"username": name, "password": "correct-horse-battery"}
    )
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    if role:
        granted = await client.post(
            "/api/me/roles", json={"role": role}, headers={"Authorization": f"Bearer {token}"}
        )
        assert granted.status_code == 201, granted.text
        token = granted.json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}


class Ledger:
    """What the api acknowledged: the truth the database must hold afterwards."""

    def __init__(self) -> None:
        self.placed: dict[int, dict[str, Any]] = {}  # order id -> the 201 body
        self.paid: set[int] = set()
        self.statuses: Counter[str] = Counter()


async def _with_retries(send, ledger: Ledger, label: str) -> httpx.Response | None:
    """A client that retries through the outage (the same Idempotency-Key for an order)."""
    for _ in range(RETRIES):
        try:
            response = await send()
        except httpx.TransportError:
            ledger.statuses[f"{label} dropped"] += 1
            await asyncio.sleep(0.25)
            continue
        ledger.statuses[f"{label} {response.status_code}"] += 1
        if response.status_code < 500:
            return response
        await asyncio.sleep(0.25)
    return None


async def _shopper(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    sku_id: int,
    ledger: Ledger,
    stop: asyncio.Event,
) -> None:
    while not stop.is_set():
        key = uuid.uuid4().hex
        body = {
            "items": [{"skuId": sku_id, "quantity": 1 + len(ledger.placed) % 3}],
            "address": ADDRESS,
        }
        placed = await _with_retries(
            lambda key=key, body=body: client.post(
                "/api/orders", json=body, headers={**headers, "Idempotency-Key": key}
            ),
            ledger,
            "place",
        )
        if placed is None or placed.status_code != 201:
            continue
        order = placed.json()
        ledger.placed[order["id"]] = order
        paid = await _with_retries(
            lambda order_id=order["id"]: client.post(
                f"/api/orders/{order_id}/pay", json={"method": "wallet"}, headers=headers
            ),
            ledger,
            "pay",
        )
        if (
            paid is not None
            and paid.status_code == 200
            and paid.json()["order"]["status"] == "paid"
        ):
            ledger.paid.add(order["id"])


async def test_postgres_restarted_mid_checkout_keeps_every_acknowledged_order_whole(
    tmp_path: Path, figure
) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg", durable=True)
    redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    database_url, redis_url = pg.start(), redis.start()
    env = app_env(database_url, redis_url)
    await asyncio.to_thread(migrate, env, tmp_path / "migrate.log")
    api = ApiProcess(env, tmp_path / "api.log")
    ledger, stop = Ledger(), asyncio.Event()
    outages: list[str] = []
    try:
        await api.started()
        async with storm_client(api.url, 64) as client:
            host = await _register(client, "pghost", "host")
            made = await client.post(
                "/api/products",
                headers=host,
                json={"title": "Tea", "skus": [{"name": "tin", "price": PRICE, "stock": STOCK}]},
            )
            sku_id = made.json()["skus"][0]["id"]
            buyers = [await _register(client, f"pgbuyer{n}") for n in range(SHOPPERS)]
            for headers in buyers:
                top_up = await client.post(
                    "/api/me/wallet/topup", json={"amount": 10_000_000}, headers=headers
                )
                assert top_up.status_code == 201, top_up.text
                paid = await complete_on_sandbox(client, headers, top_up.json()["payUrl"])
                assert paid.json()["result"] == "applied", paid.text

            shoppers = [
                asyncio.create_task(_shopper(client, h, sku_id, ledger, stop)) for h in buyers
            ]
            for how, sig in (
                ("crash (immediate shutdown)", signal.SIGQUIT),
                ("restart (fast shutdown)", signal.SIGINT),
            ):
                await asyncio.sleep(3)
                before = len(ledger.placed)
                pg.proc.send_signal(sig)  # type: ignore[union-attr]
                await asyncio.to_thread(pg.proc.wait, 60)  # type: ignore[union-attr]
                await asyncio.sleep(1)
                await asyncio.to_thread(
                    pg.start
                )  # same data folder and port; recovery replays the WAL
                back = await wait_until(lambda: _ready(client), timeout=60, every=0.1)
                outages.append(f"{how}: {before:,} orders before, ready {back:.1f}s after start")
            await asyncio.sleep(3)
            stop.set()
            await asyncio.gather(*shoppers)
            after = await client.post(
                "/api/orders",
                json={"items": [{"skuId": sku_id, "quantity": 1}], "address": ADDRESS},
                headers={**buyers[0], "Idempotency-Key": uuid.uuid4().hex},
            )
            paid_after = await client.post(
                f"/api/orders/{after.json()['id']}/pay",
                json={"method": "wallet"},
                headers=buyers[0],
            )

        conn = await asyncpg.connect(database_url)
        try:
            problems = await _whole(conn, ledger, sku_id)
        finally:
            await conn.close()
    finally:
        stop.set()
        api.stop()
        pg.stop()
        redis.stop()

    failed = {k: v for k, v in ledger.statuses.items() if k.split()[1] not in ("201", "200")}
    figure(
        f"PostgreSQL crash + restart under {SHOPPERS} shoppers: {fmt(len(ledger.placed))} "
        "acknowledged orders present and whole, "
        f"{fmt(len(ledger.paid))} acknowledged payments in the ledger once, {len(problems)} "
        "problems; "
        f"failed attempts during the outages (retried): {failed or 0}; api not restarted"
    )
    assert (after.status_code, paid_after.status_code) == (201, 200), api.tail()
    assert not problems, "\n".join(problems)
    assert len(ledger.placed) > 0
    # During the outage the api answers 503 (retry), never a 500.
    assert not [k for k in ledger.statuses if k.endswith(" 500")], ledger.statuses


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


async def _whole(conn: asyncpg.Connection, ledger: Ledger, sku_id: int) -> list[str]:
    problems: list[str] = []
    rows = {
        r["id"]: r
        for r in await conn.fetch(
            "SELECT o.id, o.status, o.total_amount, count(i.id) AS items, "
            "COALESCE(SUM(i.quantity), 0) AS units"
            " FROM orders o LEFT JOIN order_items i ON i.order_id = o.id GROUP BY o.id"
        )
    }
    for order_id, body in ledger.placed.items():
        row = rows.get(order_id)
        if row is None:
            problems.append(f"acknowledged order {order_id} is missing")
        elif (row["items"], row["units"], row["total_amount"]) != (
            len(body["items"]),
            sum(i["quantity"] for i in body["items"]),
            body["totalAmount"],
        ):
            problems.append(f"order {order_id} differs from its 201: {dict(row)} vs {body}")
    problems += [f"order {r['id']} has no items" for r in rows.values() if r["items"] == 0]
    problems += [
        f"acknowledged paid order {oid} is {rows[oid]['status']}"
        for oid in ledger.paid
        if oid in rows and rows[oid]["status"] != "paid"
    ]
    stock, sold = await conn.fetchrow("SELECT stock, sold FROM skus WHERE id = $1", sku_id)
    if stock + sold != STOCK:
        problems.append(f"stock {stock} + sold {sold} != {STOCK}")
    problems += await stock_problems(conn)
    payments = await conn.fetch(
        "SELECT o.id, o.status, (SELECT count(*) FROM ledger_transactions t JOIN payments p ON "
        "t.business_key = 'payment:' || p.id"
        " WHERE p.order_id = o.id) AS postings FROM orders o"
    )
    problems += [
        f"order {r['id']} ({r['status']}) has {r['postings']} payment postings"
        for r in payments
        if (r["status"] == "paid") != (r["postings"] == 1) or r["postings"] > 1
    ]
    problems += await ledger_problems(conn)
    return problems
