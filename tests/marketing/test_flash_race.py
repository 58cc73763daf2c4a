"""1,000 concurrent buyers of a 100-unit flash sale: exactly 100 units are sold and paid, no unit
twice, nobody over the per-user limit (every tenth buyer is greedy: three requests at once), the
ledger's laws hold; an unpaid order cancelled gives its unit to a later buyer. Then the same
storm against an api process whose Redis is SIGKILLed and restarted empty in the middle: the
gate is rebuilt from PostgreSQL and still never oversells.

Every buyer keeps trying until it has a final answer (an order, or a 409), bounded in attempts.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from livecommerce.infra import db
from livecommerce.infra.embedded import EmbeddedRedis
from livecommerce.settings import Settings
from tests.marketing.flash_support import make_sale, open_now, room_with_sku, units
from tests.promotions.support import fund_many, make_users
from tests.resilience.conftest import storm_client
from tests.resilience.processes import ApiProcess, app_env, wait_until
from tests.support import ADDRESS, TestUser, ledger_state

BUYERS = 1_000
QUANTITY = 100
LIMIT = 2
PRICE = 500
ATTEMPTS = 200
CONNECTIONS = 100
LATE = 25  # buyers who come after the storm (more than the unpaid orders' units)


class Answers:
    def __init__(self) -> None:
        # At most as many requests in flight as the client has connections: httpcore's pool
        # scans its whole queue for every request it assigns (quadratic with 1,000 queued).
        self.in_flight = asyncio.Semaphore(CONNECTIONS)
        self.seen: list[tuple[float, str, int]] = []
        self.killed_at = float("inf")
        self.ready_at = float("inf")

    def add(self, what: str, status: int) -> None:
        self.seen.append((time.monotonic(), what, status))


async def _until_final(
    client: httpx.AsyncClient, log: Answers, what: str, path: str, user: TestUser, body: Any
) -> httpx.Response | None:
    headers = {**user.headers, "Idempotency-Key": uuid.uuid4().hex}
    for _ in range(ATTEMPTS):
        try:
            async with log.in_flight:
                response = await client.post(path, json=body, headers=headers)
        except httpx.TransportError:
            log.add(what, 0)
        else:
            log.add(what, response.status_code)
            if response.status_code < 500:
                return response
        await asyncio.sleep(0.05)
    return None


async def _buyer(
    client: httpx.AsyncClient,
    log: Answers,
    user: TestUser,
    sale_id: int,
    delay: float,
    tries: int,
    pays: bool = True,
) -> list[dict[str, Any]]:
    """`tries` requests at once for one unit each; each order got is paid (or cancelled)."""
    await asyncio.sleep(delay)
    path = f"/api/flash-sales/{sale_id}/orders"
    answers = await asyncio.gather(
        *(
            _until_final(client, log, "buy", path, user, {"quantity": 1, "address": ADDRESS})
            for _ in range(tries)
        )
    )
    got = []
    for answer in answers:
        assert answer is not None, "no final answer"
        if answer.status_code == 201:
            order_id = answer.json()["id"]
            step = "pay" if pays else "cancel"
            body = {"method": "wallet"} if pays else {"reason": "changed my mind"}
            done = await _until_final(
                client, log, step, f"/api/orders/{order_id}/{step}", user, body
            )
            assert done is not None and done.status_code == 200, done and done.text
            order = done.json()["order"] if pays else done.json()
            got.append({"user": user.id, "order": order_id, "status": order["status"]})
        else:
            assert answer.status_code == 409, answer.text
            assert answer.json()["code"] in ("flash_sold_out", "flash_limit_reached"), answer.text
    return got


async def _storm(
    client: httpx.AsyncClient, log: Answers, users: list[TestUser], sale_id: int, spread: float
) -> list[dict[str, Any]]:
    rng = random.Random(0)
    users, late = users[:-LATE], users[-LATE:]
    tasks = [
        asyncio.create_task(
            _buyer(
                client,
                log,
                user,
                sale_id,
                # The first ten come at once (and leave their orders unpaid).
                0.0 if i < 10 else rng.uniform(0, spread),
                tries=3 if i % 10 == 0 else 1,
                # The first buyers' orders are left unpaid and cancelled: their units go back.
                pays=i >= 10,
            )
        )
        for i, user in enumerate(users)
    ]
    got = [row for rows in await asyncio.gather(*tasks) for row in rows]
    # The units the unpaid orders gave back go to latecomers, one each, until none is left.
    for user in late:
        got += await _buyer(client, log, user, sale_id, 0.0, tries=1)
    return got


async def _sold(sale_id: int) -> dict[str, int]:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE o.status = 'paid') AS paid,"
            " count(*) FILTER (WHERE o.status <> 'paid') AS other,"
            " COALESCE(max(per.n), 0) AS most"
            " FROM flash_units u JOIN orders o ON o.id = u.order_id"
            " JOIN (SELECT buyer_id, count(*) AS n FROM flash_units WHERE sale_id = $1"
            " AND buyer_id IS NOT NULL GROUP BY buyer_id) per ON per.buyer_id = u.buyer_id"
            " WHERE u.sale_id = $1",
            sale_id,
        )
        escrow = await conn.fetchval(
            "SELECT COALESCE(SUM(balance), 0) FROM accounts"
            " WHERE kind = 'escrow' OR kind LIKE 'escrow.%'"
        )
    return {**dict(row), "escrow": int(escrow)}


async def _setup(
    client: httpx.AsyncClient, app, user_factory, redis_url: str
) -> tuple[int, list[TestUser], int]:
    host = await user_factory("host", ["host"])
    room_id, sku_id = await room_with_sku(client, host, price=1_000, stock=QUANTITY + 50)
    made = await make_sale(
        client, host, room_id, sku_id, price=PRICE, quantity=QUANTITY, perUserLimit=LIMIT
    )
    assert made.status_code == 201, made.text
    sale = made.json()
    users = await make_users(app, "buyer", BUYERS)
    await fund_many(users, PRICE * LIMIT, key="flash-race")
    await open_now(redis_url, sale)
    return sale["id"], users, sku_id


def _check(got: list[dict[str, Any]], sold: dict[str, int], sale_units: dict[str, int]) -> None:
    paid = [g for g in got if g["status"] == "paid"]
    assert len(paid) == QUANTITY, Counter(g["status"] for g in got)
    assert sold["paid"] == QUANTITY and sold["other"] == 0, sold
    assert sold["most"] <= LIMIT and sale_units["most"] <= LIMIT, (sold, sale_units)
    assert sold["escrow"] == QUANTITY * PRICE, sold
    per_user = Counter(g["user"] for g in paid)
    assert max(per_user.values()) <= LIMIT


async def test_a_thousand_buyers_of_a_hundred_units_pay_for_exactly_a_hundred(
    client: httpx.AsyncClient, live, app, user_factory, migrated: Settings
) -> None:
    sale_id, users, _ = await _setup(client, app, user_factory, migrated.redis_url or "")
    log = Answers()
    async with storm_client(live.url, CONNECTIONS) as storm:
        got = await asyncio.wait_for(_storm(storm, log, users, sale_id, spread=2.0), 600)
    _check(got, await _sold(sale_id), await units(sale_id))
    cancelled = [g for g in got if g["status"] == "cancelled"]
    assert cancelled, "the unpaid orders' units went to later buyers"
    assert not [s for _, _, s in log.seen if s >= 500 or s == 0], Counter(s for *_, s in log.seen)
    state = await ledger_state()
    assert state.balanced, state.problems


async def test_the_storm_across_a_redis_restart_still_sells_exactly_the_quantity(
    client: httpx.AsyncClient, app, user_factory, migrated: Settings, tmp_path: Path
) -> None:
    redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    redis_url = redis.start()
    api = ApiProcess(
        app_env(migrated.database_url or "", redis_url), tmp_path / "api.log", workers=1
    )
    log = Answers()
    try:
        await api.started(timeout=300)  # a loaded machine starts it slowly
        sale_id, users, _ = await _setup(client, app, user_factory, redis_url)
        async with storm_client(api.url, CONNECTIONS) as storm:
            # Arrivals spread so that the 100 units take seconds to go: the kill lands mid-sale.
            running = asyncio.create_task(_storm(storm, log, users, sale_id, spread=20.0))
            await wait_until(lambda: _held_at_least(sale_id, QUANTITY // 5), 120, every=0.05)
            log.killed_at = time.monotonic()
            redis.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            await asyncio.to_thread(redis.proc.wait, 10)  # type: ignore[union-attr]
            at_kill = (await units(sale_id))["held"]
            await asyncio.sleep(2.0)
            redis.start()  # same port, empty: the gate is rebuilt from PostgreSQL
            await wait_until(lambda: _ready(storm), timeout=60, every=0.1)
            log.ready_at = time.monotonic()
            got = await asyncio.wait_for(running, 600)
    finally:
        api.stop()
        redis.stop()
    sold = await _sold(sale_id)
    sale_units = await units(sale_id)
    # 503 `busy` (retry) is the answer while Redis is away and as each pooled connection finds
    # the restarted one (its first command there may fail); never a 500 or a dropped request.
    stray = [
        (round(at - log.killed_at, 1), what, status)
        for at, what, status in log.seen
        if (status >= 500 or status == 0) and not (status == 503 and at >= log.killed_at)
    ]
    print(
        f"flash sale: Redis SIGKILL + restart at {at_kill}/{QUANTITY} units held, "
        f"{BUYERS} buyers, {len(log.seen)} requests: {sold['paid']} paid, "
        f"most per buyer {sold['most']}/{LIMIT}, {len(stray)} stray 5xx"
    )
    assert 0 < at_kill < QUANTITY, "the restart came in the middle of the sale"
    _check(got, sold, sale_units)
    assert not stray, f"{stray[:20]}\n{api.tail()}"
    state = await ledger_state()
    assert state.balanced, state.problems


async def _held_at_least(sale_id: int, count: int) -> bool:
    return (await units(sale_id))["held"] >= count


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200
