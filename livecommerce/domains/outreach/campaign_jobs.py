"""Sending a campaign: a worker job that walks the segment's members in chunks, each chunk one
transaction that makes the messages (`reach`, period 'campaign:{id}') and moves the campaign's
cursor past them.

It may run twice, late or side by side with the sweeper: each chunk locks the campaign row and
starts after its cursor, so runs take turns and go on from where the last one got; and `reach`
makes one message per (user, 'broadcast', 'campaign:{id}') whatever happens, so a member is told
once. The members are the segment's at the moment the run starts (a live segment); one who
joins it while a chunk later than theirs is being sent is not added.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import timedelta
from typing import Any

from livecommerce.domains.members import segments
from livecommerce.domains.outreach.sending import Reach, reach
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError

CHUNK = 500  # messages per transaction: a lock held for a chunk, not for a million members
STALE = timedelta(minutes=5)  # a campaign whose cursor has not moved this long is taken over
SWEEP_BATCH = 20


async def send(campaign_id: int, chunk: int = CHUNK) -> int:
    """Send what is left of the campaign; the number of messages this run made."""
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM outreach_campaigns WHERE id = $1", campaign_id)
        if row is None or row["status"] == "sent":
            return 0
        members: list[int] = []
        if row["segment_id"] is not None:
            try:
                members = await segments.members_of(conn, row["host_id"], row["segment_id"])
            except DomainError:  # the segment was deleted meanwhile: nobody left to tell
                members = []
        await conn.execute(
            "UPDATE outreach_campaigns SET status = 'sending', started_at = now(), audience = $2,"
            " updated_at = now() WHERE id = $1 AND status = 'queued'",
            campaign_id,
            len(members),
        )
    made = 0
    context = {"title": row["title"], "body": row["body"]}
    while True:
        async with db.transaction() as tx:
            now = await tx.conn.fetchrow(
                "SELECT status, cursor_user_id FROM outreach_campaigns WHERE id = $1 FOR UPDATE",
                campaign_id,
            )
            if now is None or now["status"] == "sent":
                return made
            start = bisect_right(members, now["cursor_user_id"])
            todo = members[start : start + chunk]
            if not todo:
                await tx.conn.execute(
                    "UPDATE outreach_campaigns SET status = 'sent', finished_at = now(),"
                    " updated_at = now() WHERE id = $1",
                    campaign_id,
                )
                return made
            here = 0
            for user_id in todo:
                message_id = await reach(
                    tx,
                    Reach(
                        user_id=user_id,
                        host_id=row["host_id"],
                        journey="broadcast",
                        period=f"campaign:{campaign_id}",
                        template="broadcast",
                        context=context,
                        link=row["link"],
                        campaign_id=campaign_id,
                    ),
                )
                here += message_id is not None
            await tx.conn.execute(
                "UPDATE outreach_campaigns SET cursor_user_id = $2, reached = reached + $3,"
                " updated_at = now() WHERE id = $1",
                campaign_id,
                todo[-1],
                here,
            )
        made += here


async def stale() -> list[int]:
    """Campaigns not sent whose cursor has not moved for STALE: the enqueue was lost, or the
    worker running them died."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id FROM outreach_campaigns WHERE status <> 'sent'"
            " AND updated_at < now() - $1::interval ORDER BY id LIMIT $2",
            STALE,
            SWEEP_BATCH,
        )
    return [r["id"] for r in rows]


async def send_campaign(ctx: dict[str, Any], campaign_id: int) -> int:
    return await send(campaign_id)


async def sweep_campaigns(ctx: dict[str, Any]) -> int:
    made = 0
    for campaign_id in await stale():
        made += await send(campaign_id)
    return made


# campaigns.SEND_JOB is the name create() enqueues: arq finds a job by its function's name.
FUNCTIONS: list[Any] = [send_campaign]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (sweep_campaigns, {"minute": set(range(0, 60, 5)), "second": 50})
]
