"""Publishing to a room's viewers from any domain, in an api process or a worker.

An api process binds its hub (events ride the next tick of local viewers, or go straight
to Redis); a worker binds its Redis connection. Publishing is best effort by design:
the database is the truth, and a viewer who missed an event gets it in the next snapshot.
Call it after the transaction commits, so nobody hears of what did not happen.
"""

from __future__ import annotations

from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisClusterException, RedisError

from livecommerce.realtime.hub import RoomHub, publish_events
from livecommerce.realtime.wire import make_event

log = structlog.get_logger("live.events")

# A stack: the latest bound target serves; an app that stops unbinds its own (tests run
# several apps in one process; production has one per process).
_targets: list[RoomHub | Redis] = []


def bind(target: RoomHub | Redis) -> None:
    _targets.append(target)


def unbind(target: RoomHub | Redis) -> None:
    if target in _targets:
        _targets.remove(target)


def _current() -> RoomHub | Redis | None:
    return _targets[-1] if _targets else None


def event(type_: str, **fields: Any) -> dict[str, Any]:
    """An event for the room's tick frames (`pin`, `coupon`, `red_packet`, `purchase`, … are
    never sampled away)."""
    return make_event(type_, **fields)


async def publish(room_id: int, *events: dict[str, Any]) -> None:
    target = _current()
    if target is None or not events:
        return
    try:
        if isinstance(target, RoomHub):
            await target.publish(room_id, *events)
        else:
            await publish_events(target, room_id, list(events))
    except (RedisError, RedisClusterException, OSError) as exc:  # a cluster failing over too
        log.warning("room_event_not_published", room_id=room_id, error=str(exc))


def redis() -> Redis | None:
    target = _current()
    return target.redis if isinstance(target, RoomHub) else target


async def add_counters(room_id: int, **deltas: int) -> None:
    """Counters a business event moves (orders, gmv); one HINCRBY each."""
    from livecommerce.realtime import counters

    target = _current()
    if target is None:
        return
    redis = target.redis if isinstance(target, RoomHub) else target
    try:
        await counters.add(redis, room_id, **deltas)
    except (RedisError, OSError) as exc:
        log.warning("room_counters_not_added", room_id=room_id, error=str(exc))
