"""Behaviour-event tests: each starts with an empty event buffer, room cache and beacon limits
(the store is the process's, shared with the app the tests serve)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from livecommerce.domains.analytics import beacon, sources, store
from livecommerce.domains.analytics.store import PostgresEventStore
from tests.support import LiveServer


@pytest.fixture(autouse=True)
async def fresh_events() -> AsyncIterator[None]:
    writer = store.store()
    if isinstance(writer, PostgresEventStore):
        writer.discard()  # another test's leftovers, after its tables were emptied
    sources.forget_rooms()
    beacon.forget_limits()
    yield


@pytest.fixture
def room_url(live: LiveServer):
    def url(room_id: int) -> str:
        return f"{live.ws_url}/ws/rooms/{room_id}"

    return url


async def stored(sql: str = "SELECT * FROM behaviour_events ORDER BY occurred_at", *args):
    """Rows once the writer flushed what the app recorded."""
    from livecommerce.infra import db

    await store.flush()
    async with db.connection() as conn:
        return [dict(r) for r in await conn.fetch(sql, *args)]
