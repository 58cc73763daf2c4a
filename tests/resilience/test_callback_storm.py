"""1,000 payment callbacks, each delivered 20 times at once, and forged ones racing the genuine
ones for 50 payments: every payment is applied once, every altered callback is refused."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from bench.ledger_checks import ledger_problems
from livecommerce.domains.payments.providers import CallbackEvent, SandboxProvider
from livecommerce.infra import db
from livecommerce.settings import load_settings
from tests.resilience.conftest import storm_client
from tests.resilience.invariants import fmt
from tests.resilience.rawhttp import RawPool
from tests.support import ADDRESS, create_product

ADDRESS_JSON = msgspec.json.encode(ADDRESS)

PAYMENTS = int(__import__("os").environ.get("STORM_PAYMENTS", 1_000))
REPLAYS = 20
ALTERED = 50
PRICE = 2_500


# The api process reads the same (default) gateway secret from its environment.
GATEWAY = SandboxProvider(load_settings({}, dotenv=Path("/nonexistent")).sandbox_gateway_secret)


class Reply(NamedTuple):
    status: int
    body: dict[str, Any]


def _signed(payment_id: int, amount: int) -> tuple[bytes, dict[str, str]]:
    body = msgspec.json.encode(
        CallbackEvent(
            payment_id=payment_id,
            provider_ref=f"sbx_{payment_id}",
            amount=amount,
            status="succeeded",
        )
    )
    return body, {"content-type": "application/json", "x-sandbox-signature": GATEWAY.sign(body)}


def _altered(payment_id: int, n: int) -> tuple[bytes, dict[str, str]]:
    """Half re-signed with a lower amount (as if the secret leaked), half edited after signing."""
    if n % 2:
        return _signed(payment_id, 1 + n)
    body, headers = _signed(payment_id, PRICE)
    return body.replace(str(PRICE).encode(), str(PRICE - 1 - n).encode()), headers


async def test_callbacks_replayed_twenty_times_pay_once_and_altered_ones_are_refused(
    user_factory, api_process, figure
) -> None:
    host = await user_factory("host", ["host"])
    buyers = [await user_factory(f"buyer{n}") for n in range(10)]
    async with storm_client(api_process.url) as client:
        sku_id = (await create_product(client, host, price=PRICE, stock=PAYMENTS))["skus"][0]["id"]

    async def start(n: int) -> int:
        auth = {
            "Authorization": f"Bearer {buyers[n % len(buyers)].token}",
            "Content-Type": "application/json",
        }
        status, body = await pool.post(
            "/api/orders",
            b'{"items":[{"skuId":%d,"quantity":1}],"address":%s}' % (sku_id, ADDRESS_JSON),
            {**auth, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert status == 201, body
        order_id = msgspec.json.decode(body)["id"]
        status, body = await pool.post(f"/api/orders/{order_id}/pay", b"{}", auth)
        assert status == 200, body
        return msgspec.json.decode(body)["paymentId"]

    began = time.monotonic()
    async with RawPool(api_process.url, 50) as pool:
        payment_ids = await asyncio.gather(*(start(n) for n in range(PAYMENTS)))
    attacked = set(payment_ids[:: PAYMENTS // ALTERED][:ALTERED])
    storm = asyncio.Semaphore(10)  # payments in flight; each one's deliveries all race together

    async def deliver(payment_id: int) -> tuple[list[Reply], list[Reply]]:
        genuine = [_signed(payment_id, PRICE) for _ in range(REPLAYS)]
        forged = [_altered(payment_id, n) for n in range(REPLAYS)] if payment_id in attacked else []
        async with storm:
            responses = await asyncio.gather(
                *(
                    pool.post("/api/payments/callback", body, headers)
                    for body, headers in genuine + forged
                )
            )
        replies = [Reply(status, msgspec.json.decode(body)) for status, body in responses]
        return replies[:REPLAYS], replies[REPLAYS:]

    async with RawPool(api_process.url, 2 * 10 * REPLAYS) as pool:
        results = await asyncio.gather(*(deliver(pid) for pid in payment_ids))
    took = time.monotonic() - began

    statuses = Counter(r.status for genuine, forged in results for r in genuine + forged)
    applied_once = sum(
        1
        for genuine, _ in results
        if sorted(r.body.get("result", r.body.get("code")) for r in genuine)
        == ["applied"] + ["duplicate"] * (REPLAYS - 1)
    )
    forged = [r for _, f in results for r in f]
    refused = sum(
        1
        for r in forged
        if r.status == 400 and r.body["code"] in ("amount_mismatch", "bad_signature")
    )
    async with db.connection() as conn:
        paid = await conn.fetchval("SELECT count(*) FROM orders WHERE status = 'paid'")
        payment_txns = await conn.fetchval(
            "SELECT count(*) FROM ledger_transactions WHERE kind = 'payment'"
        )
        escrow = await conn.fetchval(
            "SELECT SUM(balance) FROM accounts WHERE user_id = $1"  # every escrow bucket
            " AND (kind = 'escrow' OR kind LIKE 'escrow.%')",
            host.id,
        )
        wrong_amount = await conn.fetchval(
            "SELECT count(*) FROM payments WHERE status = 'succeeded' AND amount <> $1", PRICE
        )
        problems = await ledger_problems(conn)
    figure(
        f"{fmt(PAYMENTS)} payments x {REPLAYS} replays ({fmt(PAYMENTS * REPLAYS)} callbacks) + "
        f"{fmt(len(forged))} altered on {ALTERED}: "
        f"{fmt(applied_once)} paid once, {fmt(payment_txns)} payment postings, "
        f"{fmt(refused)}/{fmt(len(forged))} altered refused, "
        f"{sum(n for s, n in statuses.items() if s >= 500)} 5xx ({took:.0f}s)"
    )
    assert not [s for s in statuses if s >= 500], statuses
    assert applied_once == PAYMENTS
    assert refused == len(forged) == ALTERED * REPLAYS
    assert (paid, payment_txns, escrow, wrong_amount) == (PAYMENTS, PAYMENTS, PAYMENTS * PRICE, 0)
    assert not problems, "\n".join(problems)
