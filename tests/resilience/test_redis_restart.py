"""Redis killed (SIGKILL) and started again under a running api process: the api is never
restarted, says 503 on /readyz while Redis is away, 200 again once it is back, and orders
and payments keep working throughout (Redis is for live state and the queue, not the truth).

Live rooms: two api processes serve one room (so chat between them crosses Redis pub/sub);
sockets joined before the kill see ticks resume after the restart without reconnecting, chat
crosses processes again (the hub's subscription came back by itself) and the counters they
are shown never go below what was counted and saved before the kill."""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import websockets

from livecommerce.infra.embedded import EmbeddedRedis
from livecommerce.settings import Settings
from tests import support
from tests.resilience.conftest import storm_client
from tests.resilience.invariants import fmt
from tests.resilience.processes import ApiProcess, app_env, wait_until


async def _checkout(
    client: httpx.AsyncClient, buyer: support.TestUser, sku_id: int
) -> tuple[int, int, str]:
    """Place an order and pay it through the sandbox gateway: (place status, pay status, order
    status)."""
    placed = await client.post(
        "/api/orders",
        json={"items": [{"skuId": sku_id, "quantity": 1}], "address": support.ADDRESS},
        headers={**buyer.headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    if placed.status_code != 201:
        return placed.status_code, 0, ""
    order_id = placed.json()["id"]
    started = await client.post(f"/api/orders/{order_id}/pay", json={}, headers=buyer.headers)
    if started.status_code != 200:
        return 201, started.status_code, ""
    done = await support.complete_on_sandbox(client, buyer, started.json()["payUrl"])
    status = (
        (await client.get(f"/api/orders/{order_id}", headers=buyer.headers))
        .json()
        .get("status", "")
    )
    return 201, done.status_code, status


async def test_redis_killed_and_restarted_the_api_recovers_without_a_restart(
    migrated: Settings,
    user_factory,
    tmp_path: Path,
    figure,
) -> None:
    redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    redis_url = redis.start()
    api = ApiProcess(app_env(migrated.database_url or "", redis_url), tmp_path / "api.log")
    statuses: Counter[int] = Counter()
    stop = asyncio.Event()
    try:
        await api.started()
        host = await user_factory("host", ["host"])
        buyers = [await user_factory(f"buyer{n}") for n in range(4)]
        async with storm_client(api.url, 50) as client:
            sku_id = (await support.create_product(client, host, stock=100_000))["skus"][0]["id"]

            async def shopper(buyer: support.TestUser) -> None:
                while not stop.is_set():
                    try:
                        place, pay, _ = await _checkout(client, buyer, sku_id)
                        statuses[place] += 1
                        if pay:
                            statuses[pay] += 1
                    except httpx.TransportError:
                        statuses[0] += 1
                    await asyncio.sleep(0.01)

            async def ready() -> int:
                return (await client.get("/readyz")).status_code

            shoppers = [asyncio.create_task(shopper(b)) for b in buyers]
            await asyncio.sleep(2)
            before_kill = sum(statuses.values())
            redis.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            await asyncio.to_thread(redis.proc.wait, 10)  # type: ignore[union-attr]
            await wait_until(lambda: _is(ready, 503), timeout=30)
            await asyncio.sleep(3)  # shopping goes on while Redis is away
            during = sum(statuses.values()) - before_kill
            redis.start()  # same port, empty: a crashed cache comes back blank
            back_in = await wait_until(lambda: _is(ready, 200), timeout=60, every=0.1)
            await asyncio.sleep(2)
            stop.set()
            await asyncio.gather(*shoppers)
            after = await _checkout(client, buyers[0], sku_id)
    finally:
        stop.set()
        api.stop()
        redis.stop()
    total = sum(statuses.values())
    server_errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    figure(
        f"Redis SIGKILL + restart under {len(buyers)} shoppers: /readyz 503 while away, 200 again "
        f"{back_in:.1f}s after restart "
        f"(api not restarted); {fmt(total)} requests ({fmt(during)} during the outage), "
        f"{server_errors} 5xx/dropped; "
        f"checkout after: {after}"
    )
    assert after == (201, 200, "paid"), api.tail()
    assert server_errors == 0, f"{statuses}\n{api.tail()}"
    assert during > 0


async def _is(probe, expected: int) -> bool:
    return await probe() == expected


MONOTONIC = ("likes", "views", "peak", "uniqueViewers", "comments")


class Watcher:
    """Reads one socket's frames in the background: chat lines seen, the counters as shown,
    drops."""

    def __init__(self, ws: Any, counters: dict[str, int]) -> None:
        self.ws = ws
        self.counters = dict(counters)
        self.chat: list[str] = []
        self.ticks = 0
        self.went_back: list[tuple[str, int, int]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame["type"] != "tick":
                continue
            self.ticks += 1
            for name, value in frame["counters"].items():
                if name in MONOTONIC and value < self.counters.get(name, 0):
                    self.went_back.append((name, self.counters[name], value))
                self.counters[name] = value
            self.chat += [e["text"] for e in frame["events"] if e["type"] == "chat"]


async def _join(
    api: ApiProcess, room_id: int, user: support.TestUser
) -> tuple[Any, dict[str, Any]]:
    ws = await websockets.connect(
        f"ws://127.0.0.1:{api.port}/ws/rooms/{room_id}",
        origin=api.url,
        additional_headers=user.headers,
    )
    return ws, await support.next_frame(ws, "snapshot", within=10)


async def test_redis_restart_room_sockets_resume_ticks_chat_and_counters(
    migrated: Settings,
    user_factory,
    tmp_path: Path,
    figure,
) -> None:
    redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    redis_url = redis.start()
    env = app_env(migrated.database_url or "", redis_url)
    apis = [ApiProcess(env, tmp_path / f"api{n}.log") for n in range(2)]
    sockets: list[Any] = []
    try:
        for api in apis:
            await api.started()
        host, fan, other = (
            await user_factory("host", ["host"]),
            await user_factory("fan"),
            await user_factory("other"),
        )
        async with httpx.AsyncClient(base_url=apis[0].url, timeout=30) as client:
            room_id = (await support.create_room(client, host))["id"]
            await support.go_live(client, host, room_id)
            speaker_ws, _ = await _join(apis[0], room_id, fan)
            listener_ws, snapshot = await _join(apis[1], room_id, other)
            sockets += [speaker_ws, listener_ws]
            listener = Watcher(listener_ws, snapshot["counters"])

            async def said(text: str) -> bool:
                return text in listener.chat

            await speaker_ws.send(json.dumps({"type": "like", "count": 7}))
            await speaker_ws.send(json.dumps({"type": "chat", "text": "before the kill"}))
            await wait_until(lambda: said("before the kill"), timeout=10)
            await wait_until(lambda: _true(listener.counters.get("likes") == 7), timeout=10)
            saved = (await client.get(f"/api/rooms/{room_id}/stats", headers=host.headers)).json()[
                "counters"
            ]
            before = {k: listener.counters[k] for k in MONOTONIC}

            redis.proc.send_signal(signal.SIGKILL)  # type: ignore[union-attr]
            await asyncio.to_thread(redis.proc.wait, 10)  # type: ignore[union-attr]
            await asyncio.sleep(2)  # ticks go on locally while Redis is away
            redis.start()  # same port, empty
            await wait_until(lambda: _is_ready(client), timeout=60, every=0.1)
            ticks_at_restart = listener.ticks

            # The hub resubscribes by itself: keep talking until a line crosses processes again.
            async def crosses() -> bool:
                await speaker_ws.send(json.dumps({"type": "chat", "text": "after the restart"}))
                await asyncio.sleep(0.5)
                return await said("after the restart")

            back_in = await wait_until(crosses, timeout=30, every=0.1)
            await speaker_ws.send(json.dumps({"type": "like", "count": 5}))
            await wait_until(lambda: _true(listener.counters.get("likes") == 12), timeout=20)
            stats = (await client.get(f"/api/rooms/{room_id}/stats", headers=host.headers)).json()[
                "counters"
            ]
            after = dict(listener.counters)
    finally:
        for ws in sockets:
            await ws.close()
        for api in apis:
            api.stop()
        redis.stop()
    figure(
        "Redis SIGKILL + restart under a live room on 2 api processes: chat crossed again "
        f"{back_in:.1f}s after "
        f"/readyz; likes shown {before['likes']} -> {after['likes']} (+5 after), went back: "
        f"{listener.went_back}"
    )
    assert listener.ticks > ticks_at_restart, apis[1].tail()
    assert listener.went_back == [], apis[1].tail()
    assert all(after[k] >= before[k] for k in MONOTONIC), (before, after)
    assert stats["likes"] == 12 and all(stats[k] >= saved[k] for k in MONOTONIC), (saved, stats)


async def _is_ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200


async def _true(value: bool) -> bool:
    return value
