"""A giveaway's start is heard of only once it has committed: the room's `giveaway` event, the watch
window in Redis and the draw's job are its transaction's after-commit effects. A start that rolls
back (the host can't pay the red packets) leaves no trace in Redis and no job; one that commits
leaves all three (a control: effects registered after the block has exited never run)."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.marketing import giveaway_room, giveaway_watch
from livecommerce.infra import redis as redis_infra
from livecommerce.settings import Settings
from tests import cluster_mode
from tests.live.conftest import event_of, events_for, joined
from tests.live.conftest import room_url as room_url  # fixtures of the room tests
from tests.live.conftest import rooms_left as rooms_left
from tests.marketing.giveaway_support import live_room, start
from tests.support import problem_code

BODY = {"title": "福袋", "prizeKind": "red_packet", "amount": 100, "winners": 2,
        "durationMinutes": 5}  # fmt: skip


async def _draw_jobs(settings: Settings) -> list[Any]:
    queue = redis_infra.connect_node(settings.queue_url)
    try:
        return [key async for key in queue.scan_iter(match="arq:job:giveaway-draw:*")]
    finally:
        await queue.aclose()


async def _window(settings: Settings, room_id: int) -> Any:
    redis = cluster_mode.connect(settings.redis_url or "")
    try:
        return await redis.get(giveaway_watch.keys(room_id)[1])
    finally:
        await redis_infra.aclose(redis)


async def test_a_rolled_back_start_leaves_no_trace_and_a_committed_one_all_its_effects(
    client, user_factory, room_url, migrated: Settings
) -> None:
    giveaway_room.forget_all()
    host, viewer = await user_factory("host", ["host"]), await user_factory("viewer")
    room_id = await live_room(client, host)
    async with joined(room_url(room_id), viewer) as (ws, _):
        # Unfunded: the giveaway's row is written, then the ledger refuses and it rolls back.
        refused = await client.post(
            f"/api/rooms/{room_id}/giveaways", json=BODY, headers=host.headers
        )
        assert (refused.status_code, problem_code(refused)) == (409, "insufficient_balance")
        heard = await events_for(ws, quiet=1.0)
        assert [e for e in heard if e["type"] == "giveaway"] == []
        assert await _window(migrated, room_id) is None
        assert await _draw_jobs(migrated) == []

        started = await start(client, host, room_id)
        assert started.status_code == 201, started.text
        giveaway_id = started.json()["id"]
        announced = await event_of(ws, "giveaway", within=5)
        assert announced["giveaway"]["id"] == giveaway_id
        window = await _window(migrated, room_id)
        assert window is not None and window.decode().split(":")[0] == str(giveaway_id)
        assert [k.decode() for k in await _draw_jobs(migrated)] == [
            f"arq:job:giveaway-draw:{giveaway_id}"
        ]
