"""A coupon claim storm and a red-packet grab storm while the api's Redis is SIGKILLed and
restarted empty: Redis is only the fast gate, PostgreSQL decides, so

- never more coupons than the quota, never two for one user, every 201 a row in PostgreSQL;
- never more red-packet parts than the count, one per user, the amounts summing to the total,
  every `won` answered a part committed in PostgreSQL (with the same amount) and in the wallet;
- no 5xx but 503s, and those only while Redis is away (or in the moment it takes to reconnect).

Every shopper keeps trying until it has a final answer (bounded in attempts and time), and
asks once more after it: the second answer must not grant anything new.
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.ledger_checks import ledger_problems
from livecommerce.infra import db
from livecommerce.infra.embedded import EmbeddedRedis
from livecommerce.settings import Settings
from tests.promotions.support import create_room, fund, go_live, make_users
from tests.resilience.conftest import storm_client
from tests.resilience.invariants import fmt
from tests.resilience.processes import ApiProcess, app_env, wait_until
from tests.support import TestUser

SHOPPERS = 600
QUOTA = 300  # coupons
PARTS = 300  # red-packet parts
TOTAL = 88_888  # fen in the red packet
SPREAD = 8.0  # seconds over which the shoppers arrive
OUTAGE = 3.0  # seconds Redis stays away
ATTEMPTS = 200  # per shopper and kind, 50 ms apart at least


class Log:
    """Every answer with the moment it came, to tell the outage's 503s from any other."""

    def __init__(self) -> None:
        self.answers: list[tuple[float, str, int]] = []
        self.killed_at = float("inf")
        self.ready_at = float("inf")

    def add(self, kind: str, status: int) -> None:
        self.answers.append((time.monotonic(), kind, status))


async def _until_final(
    client: httpx.AsyncClient, log: Log, kind: str, path: str, user: TestUser, final: set[int]
) -> httpx.Response | None:
    for _ in range(ATTEMPTS):
        try:
            response = await client.post(path, headers=user.headers)
        except httpx.TransportError:
            log.add(kind, 0)
        else:
            log.add(kind, response.status_code)
            if response.status_code in final:
                return response
        await asyncio.sleep(0.05)
    return None


async def _shopper(
    client: httpx.AsyncClient,
    log: Log,
    user: TestUser,
    coupon_id: int,
    packet_id: int,
    delay: float,
) -> dict[str, Any]:
    await asyncio.sleep(delay)
    coupon = f"/api/coupons/{coupon_id}/claim"
    packet = f"/api/red-packets/{packet_id}/grab"
    claimed = await _until_final(client, log, "claim", coupon, user, {201, 409})
    grabbed = await _until_final(client, log, "grab", packet, user, {200, 409})
    # Once more each: a repeat grants nothing new (a second copy would be 201, a second part a new
    # amount).
    again_claim = await _until_final(client, log, "claim", coupon, user, {201, 409})
    again_grab = await _until_final(client, log, "grab", packet, user, {200, 409})
    return {
        "user": user.id,
        "claim": claimed and claimed.status_code,
        "claim_again": again_claim and again_claim.status_code,
        "grab": grabbed.json() if grabbed is not None and grabbed.status_code == 200 else None,
        "grab_again": again_grab.json()
        if again_grab is not None and again_grab.status_code == 200
        else None,
    }


async def test_claim_and_grab_storms_across_a_redis_restart_never_grant_twice(
    migrated: Settings,
    app,
    user_factory,
    tmp_path: Path,
    figure,
) -> None:
    redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    redis_url = redis.start()
    api = ApiProcess(
        app_env(migrated.database_url or "", redis_url), tmp_path / "api.log", workers=2
    )
    log = Log()
    try:
        await api.started()
        host = await user_factory("host", ["host"])
        await fund(host, TOTAL)
        room_id = await create_room(host)
        await go_live(room_id)
        users = await make_users(app, "shopper", SHOPPERS)
        async with storm_client(api.url, 100) as client:
            made = await client.post(
                f"/api/rooms/{room_id}/coupons",
                headers=host.headers,
                json={
                    "title": "5 off",
                    "kind": "amount_off",
                    "amountOff": 500,
                    "minSpend": 1_000,
                    "quota": QUOTA,
                    "perUserLimit": 1,
                    "validMinutes": 60,
                    "drop": True,
                },
            )
            assert made.status_code == 201, made.text
            coupon_id = made.json()["id"]
            sent = await client.post(
                f"/api/rooms/{room_id}/red-packets",
                headers=host.headers,
                json={"totalAmount": TOTAL, "count": PARTS},
            )
            assert sent.status_code == 201, sent.text
            packet_id = sent.json()["id"]

            rng = random.Random(0)
            shoppers = [
                asyncio.create_task(
                    _shopper(client, log, user, coupon_id, packet_id, rng.uniform(0, SPREAD))
                )
                for user in users
            ]
            # Kill once the storm is well under way: some coupons issued and some parts won.
            await wait_until(
                lambda: _granted(coupon_id, packet_id, QUOTA // 6), timeout=120, every=0.05
            )
            log.killed_at = time.monotonic()
            redis.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            await asyncio.to_thread(redis.proc.wait, 10)  # type: ignore[union-attr]
            at_kill = await _counts(coupon_id, packet_id)
            await asyncio.sleep(OUTAGE)
            redis.start()  # same port, empty: the gates are rebuilt from PostgreSQL
            await wait_until(lambda: _ready(client), timeout=60, every=0.1)
            log.ready_at = time.monotonic()
            results = await asyncio.wait_for(asyncio.gather(*shoppers), timeout=300)
    finally:
        api.stop()
        redis.stop()

    async with db.connection() as conn:
        issued, copies, holders = await conn.fetchrow(
            "SELECT (SELECT issued FROM coupons WHERE id = $1), count(*), count(DISTINCT user_id) "
            "FROM user_coupons WHERE coupon_id = $1",
            coupon_id,
        )
        coupon_holders = {
            r["user_id"]
            for r in await conn.fetch(
                "SELECT user_id FROM user_coupons WHERE coupon_id = $1", coupon_id
            )
        }
        parts = {
            r["user_id"]: r["amount"]
            for r in await conn.fetch(
                "SELECT user_id, amount FROM red_packet_parts WHERE packet_id = $1 AND user_id IS "
                "NOT NULL",
                packet_id,
            )
        }
        grabbed = await conn.fetchval(
            "SELECT count(*) FROM red_packet_parts WHERE packet_id = $1 AND user_id IS NOT NULL",
            packet_id,
        )
        wallets = {
            r["user_id"]: r["balance"]
            for r in await conn.fetch(
                "SELECT user_id, balance FROM accounts WHERE kind = 'wallet' AND user_id = "
                "ANY($1::int[])",
                [u.id for u in users],
            )
        }
        problems = await ledger_problems(conn)

    statuses = Counter(status for _, _, status in log.answers)
    grace = 2.0  # the api's pooled Redis connections reconnect on their next use
    stray = [
        (round(at - log.killed_at, 1), kind, status)
        for at, kind, status in log.answers
        if (status >= 500 or status == 0)
        and not (status == 503 and log.killed_at <= at <= log.ready_at + grace)
    ]
    outage_503 = sum(1 for _, _, status in log.answers if status == 503)
    unfinished = sum(1 for r in results if r["claim"] is None or r["grab"] is None)
    claimed_201 = {r["user"] for r in results if r["claim"] == 201}
    second_201 = sum(1 for r in results if r["claim_again"] == 201)
    won = {
        r["user"]: r["grab"]["amount"]
        for r in results
        if r["grab"] and r["grab"]["outcome"] == "won"
    }
    again_new = [
        r
        for r in results
        if r["grab_again"]
        and r["grab_again"]["outcome"] == "won"
        and (r["grab_again"]["amount"] != won.get(r["user"]) or not r["grab_again"]["again"])
    ]
    figure(
        f"Redis SIGKILL + restart ({OUTAGE:.0f}s away) at {at_kill[0]} coupons / {at_kill[1]} "
        f"parts, {fmt(SHOPPERS)} shoppers, "
        f"{fmt(len(log.answers))} requests: coupons {copies}/{QUOTA} issued to {holders} users (0 "
        f"twice: {copies == holders}), "
        f"parts {grabbed}/{PARTS} summing {fmt(sum(parts.values()))}/{fmt(TOTAL)} fen, every win "
        "in PostgreSQL: "
        f"{won == parts}; {outage_503} 503 during the outage, {len(stray)} other 5xx/dropped"
    )
    assert not stray, f"{stray[:20]}\n{statuses}\n{api.tail()}"
    assert unfinished == 0, f"{unfinished} shoppers got no final answer: {statuses}"
    assert issued == copies == holders == QUOTA, (issued, copies, holders)
    assert claimed_201 == coupon_holders and second_201 == 0, (
        len(claimed_201),
        len(coupon_holders),
        second_201,
    )
    assert grabbed == len(parts) == PARTS and sum(parts.values()) == TOTAL, (
        grabbed,
        len(parts),
        sum(parts.values()),
    )
    assert won == parts, (
        "a `won` answer without its part in PostgreSQL, or a part nobody was told of"
    )
    assert not again_new, again_new[:5]
    assert {u: wallets.get(u, 0) for u in parts} == parts
    assert not problems, "\n".join(problems)


async def _counts(coupon_id: int, packet_id: int) -> tuple[int, int]:
    async with db.connection() as conn:
        coupons = await conn.fetchval(
            "SELECT count(*) FROM user_coupons WHERE coupon_id = $1", coupon_id
        )
        parts = await conn.fetchval(
            "SELECT count(*) FROM red_packet_parts WHERE packet_id = $1 AND user_id IS NOT NULL",
            packet_id,
        )
    return coupons, parts


async def _granted(coupon_id: int, packet_id: int, at_least: int) -> bool:
    coupons, parts = await _counts(coupon_id, packet_id)
    return coupons >= at_least and parts >= at_least


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200
