"""Three api processes on a real Redis Cluster: rooms spread over the nodes, a master killed.

Runs under `make test-cluster` only (TEST_REDIS_CLUSTER=1): the session's Redis is then a
cluster of 3 masters and 3 replicas with a short cluster-node-timeout (tests/cluster_mode.py).
Thirty rooms hash to all three masters; each room has a viewer on every process and its host on
one. Every viewer gets every priority event of its room and none of another's; then the master
of some rooms is SIGKILLed in the middle of likes and a red-packet grab storm: its replica takes
over, those rooms' events flow again, no viewer sees a counter go back, and PostgreSQL holds
exactly the grabs reported as won, at most one per user.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from redis.crc import key_slot

from livecommerce.infra import db
from livecommerce.realtime import counters as room_counters
from livecommerce.settings import Settings
from tests import cluster_mode
from tests.promotions.support import fund, make_users, storm
from tests.resilience.processes import ApiProcess, app_env, wait_until
from tests.support import TestUser, create_room, go_live, ledger_state

pytestmark = pytest.mark.skipif(not cluster_mode.ENABLED, reason="needs TEST_REDIS_CLUSTER=1")

ROOMS = 30
PROCESSES = 3
MONOTONIC = ("peak", "uniqueViewers", "views", "likes")


class Viewer:
    """A socket that records every chat line and every counters reading it is sent."""

    def __init__(self, ws: Any, room_id: int) -> None:
        self.ws = ws
        self.room_id = room_id
        self.lines: list[str] = []
        self.readings: list[dict[str, int]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame.get("type") != "tick":
                    continue
                for event in frame.get("events", []):
                    if event.get("type") == "chat" and event.get("priority"):
                        self.lines.append(event["text"])
                if frame.get("counters"):
                    self.readings.append(frame["counters"])

    def went_back(self) -> list[str]:
        """Counters shown lower than before, e.g. 'likes 40 -> 12'."""
        shown: dict[str, int] = {}
        back = []
        for reading in self.readings:
            for name in MONOTONIC:
                if name in reading:
                    if reading[name] < shown.get(name, 0):
                        back.append(f"{name} {shown[name]} -> {reading[name]}")
                    shown[name] = max(shown.get(name, 0), reading[name])
        return back


@contextlib.asynccontextmanager
async def socket(url: str, user: TestUser) -> AsyncIterator[Any]:
    origin = "http://" + url.split("//", 1)[1].split("/", 1)[0]
    async with websockets.connect(
        url, origin=origin, additional_headers=user.headers, open_timeout=30
    ) as ws:
        while json.loads(await ws.recv())["type"] != "snapshot":
            pass
        yield ws


@pytest.fixture
async def api_processes(migrated: Settings, tmp_path: Path) -> AsyncIterator[list[ApiProcess]]:
    env = app_env(
        migrated.database_url or "",
        migrated.redis_url or "",
        QUEUE_REDIS_URL=migrated.queue_redis_url or "",
    )
    apis = [ApiProcess(env, tmp_path / f"api{i}.log") for i in range(PROCESSES)]
    try:
        await asyncio.gather(*(api.started() for api in apis))
        yield apis
    finally:
        for api in apis:
            api.stop()


def _ws(api: ApiProcess, room_id: int) -> str:
    return api.url.replace("http://", "ws://") + f"/ws/rooms/{room_id}"


async def _say_until_heard(
    host_ws: Any, room_id: int, viewers: list[Viewer], tag: str, within: float
) -> None:
    """The host says `tag` lines (one a second, inside the chat bucket) until every viewer of the
    room has one: pub/sub drops what a failing-over node was sent."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    n = 0
    while not all(any(line.startswith(f"{tag}:{room_id}:") for line in v.lines) for v in viewers):
        assert loop.time() < deadline, f"room {room_id} did not resume within {within}s"
        await host_ws.send(json.dumps({"type": "chat", "text": f"{tag}:{room_id}:{n}"}))
        n += 1
        await asyncio.sleep(1.1)


async def test_rooms_on_three_nodes_survive_a_killed_master(
    client: httpx.AsyncClient, app, user_factory, api_processes: list[ApiProcess]
) -> None:
    cluster = cluster_mode.running()
    assert cluster is not None
    host = await user_factory("host", ["host"])
    await fund(host, 1_000_000)
    rooms = [(await create_room(client, host, f"Room {i}"))["id"] for i in range(ROOMS)]
    for room_id in rooms:
        await go_live(client, host, room_id)
    owner = {r: cluster.master_of(room_counters.channel(r)).port for r in rooms}
    assert len(set(owner.values())) == 3, "30 rooms should hash to every master"
    assert len({key_slot(room_counters.channel(r).encode()) for r in rooms}) == ROOMS
    users = await make_users(app, "viewer", ROOMS * PROCESSES)

    async with contextlib.AsyncExitStack() as stack:
        viewers: dict[int, list[Viewer]] = {r: [] for r in rooms}
        hosts: dict[int, Any] = {}

        async def join(i: int, room_id: int) -> None:
            api = api_processes[i % PROCESSES]
            ws = await stack.enter_async_context(socket(_ws(api, room_id), users[i]))
            viewers[room_id].append(Viewer(ws, room_id))

        async def join_host(k: int, room_id: int) -> None:
            api = api_processes[k % PROCESSES]
            hosts[room_id] = await stack.enter_async_context(socket(_ws(api, room_id), host))

        await asyncio.gather(
            *(join(k * PROCESSES + p, r) for k, r in enumerate(rooms) for p in range(PROCESSES)),
            *(join_host(k, r) for k, r in enumerate(rooms)),
        )

        # Every priority event of its room reaches every viewer, on every process; no other's.
        said = {r: [f"before:{r}:{n}" for n in range(3)] for r in rooms}
        for n in range(3):
            await asyncio.gather(
                *(hosts[r].send(json.dumps({"type": "chat", "text": said[r][n]})) for r in rooms)
            )

        async def all_heard() -> bool:
            return all(set(said[r]) <= set(v.lines) for r in rooms for v in viewers[r])

        await wait_until(all_heard, timeout=60)
        for room_id in rooms:
            for viewer in viewers[room_id]:
                foreign = [ln for ln in viewer.lines if ln.split(":")[1] != str(room_id)]
                assert foreign == [], f"room {room_id} got another room's events: {foreign[:3]}"
                assert Counter(viewer.lines) == Counter(said[room_id])  # each exactly once

        # A red packet in a room on the master we kill; grabs and likes flow through the kill.
        victim_port = owner[rooms[0]]
        victim = next(n for n in cluster.nodes if n.port == victim_port)
        hit = [r for r in rooms if owner[r] == victim_port]
        sent = await client.post(
            f"/api/rooms/{hit[0]}/red-packets",
            json={"totalAmount": 3_000, "count": 30},
            headers=host.headers,
        )
        assert sent.status_code == 201, sent.text
        packet_id = sent.json()["id"]

        loop = asyncio.get_running_loop()
        seen = {"retried": 0, "after_kill": 0, "done": 0, "killed_at": float("inf")}
        quarter_done = asyncio.Event()

        async def grab(c: httpx.AsyncClient, user: TestUser) -> httpx.Response:
            for _ in range(40):  # a client retries a 503 (a failover under way), as the page does
                response = await c.post(f"/api/red-packets/{packet_id}/grab", headers=user.headers)
                if response.status_code != 503:
                    break
                seen["retried"] += 1
                await asyncio.sleep(0.25)
            if loop.time() > seen["killed_at"]:
                seen["after_kill"] += 1
            seen["done"] += 1
            if seen["done"] * 4 >= ROOMS * PROCESSES * 2:
                quarter_done.set()
            return response

        async def likes() -> None:
            for _ in range(12):
                for room_id in rooms:
                    for viewer in viewers[room_id]:
                        with contextlib.suppress(websockets.ConnectionClosed):
                            await viewer.ws.send(json.dumps({"type": "like", "count": 1}))
                await asyncio.sleep(0.5)

        async def kill_soon() -> None:
            await quarter_done.wait()  # mid-storm, whatever this machine's speed
            victim.kill()
            seen["killed_at"] = loop.time()

        grabbers = users * 2  # each user grabs twice: the second must say "again", same part
        calls = [partial(grab, user=u) for u in grabbers]
        api_urls = [api.url for api in api_processes]
        results = await asyncio.gather(
            kill_soon(),
            likes(),
            *(storm(api_urls[k], calls[k::PROCESSES], concurrency=8) for k in range(len(api_urls))),
        )
        responses: list[httpx.Response] = [r for batch in results[2:] for r in batch]
        grabbed_by = [u for k in range(PROCESSES) for u in grabbers[k::PROCESSES]]

        assert seen["after_kill"] > 0, "the storm ended before the kill: nothing was tested"
        await asyncio.to_thread(cluster.wait_failed_over, victim, 60)
        failed_over = loop.time() - seen["killed_at"]
        # The rooms on the killed master (and every other) carry events again.
        await asyncio.gather(
            *(_say_until_heard(hosts[r], r, viewers[r], "after", within=60) for r in rooms)
        )
        resumed = loop.time() - seen["killed_at"]

        # Counters count again on the promoted replica (its script cache starts empty: NOSCRIPT,
        # reloaded): likes sent now show up above what each viewer of those rooms last saw.
        def last_likes(viewer: Viewer) -> int:
            return max((r["likes"] for r in viewer.readings if "likes" in r), default=0)

        before = {id(v): last_likes(v) for r in hit for v in viewers[r]}
        for room_id in hit:
            await viewers[room_id][0].ws.send(json.dumps({"type": "like", "count": 5}))

        async def counted_again() -> bool:
            return all(last_likes(v) > before[id(v)] for r in hit for v in viewers[r])

        await wait_until(counted_again, timeout=60)
        print(
            f"{ROOMS} rooms ({len(hit)} on the killed master), {PROCESSES * ROOMS} viewers:"
            f" failed over {failed_over:.1f}s after the kill, every room heard again by"
            f" {resumed:.1f}s; {len(grabbers)} grabs, {seen['after_kill']} ended after the kill,"
            f" {seen['retried']} 503 retries"
        )

        for room_id in rooms:
            for viewer in viewers[room_id]:
                assert viewer.went_back() == [], f"room {room_id}: {viewer.went_back()[:3]}"
                foreign = [ln for ln in viewer.lines if ln.split(":")[1] != str(room_id)]
                assert foreign == []

    # No grab lost or doubled: PostgreSQL holds exactly what was reported won, one per user.
    assert {r.status_code for r in responses} <= {200}, Counter(r.status_code for r in responses)
    told: dict[int, int] = {}
    for user, response in zip(grabbed_by, responses, strict=True):
        body = response.json()
        if body["outcome"] == "won":
            assert told.setdefault(user.id, body["amount"]) == body["amount"]
    async with db.connection() as conn:
        stored = await conn.fetch(
            "SELECT user_id, amount FROM red_packet_parts WHERE packet_id = $1 AND user_id IS NOT"
            " NULL",
            packet_id,
        )
    assert {row["user_id"]: row["amount"] for row in stored} == told
    assert len(stored) == len({row["user_id"] for row in stored}) == 30
    assert sum(told.values()) == 3_000
    assert (await ledger_state()).problems == []
