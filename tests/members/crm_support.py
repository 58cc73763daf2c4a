"""Helpers of the CRM tests."""

from __future__ import annotations

from livecommerce.domains.analytics import store
from livecommerce.infra import db


async def no_stray_events() -> None:
    """Events an earlier test recorded are buffered and may be written after the tables were
    emptied (with ids that the new test's users now have): write them now and drop them, so the
    behaviour_events rows are exactly the ones this test makes."""
    await store.flush()
    async with db.connection() as conn:
        await conn.execute("DELETE FROM behaviour_events")
