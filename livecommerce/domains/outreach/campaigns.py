"""A host's one-off message to one of its segments (a campaign; journey 'broadcast').

Made here (validated: the segment and the linked room or product are the host's own, else
404), then sent by a worker job in chunks (outreach/campaign_jobs.py) through `reach`, so the
restraint rules every journey obeys (consent, the cap per user and channel, quiet hours, the
host's daily cap) apply to it too. The preview counts, before sending, the segment's members
now and how many of them those rules would let a message through to now.
"""

from __future__ import annotations

from datetime import timedelta

from asyncpg import Connection, Record

from livecommerce.domains.members import segments
from livecommerce.domains.outreach import config, delivery
from livecommerce.domains.outreach.campaign_schemas import (
    CampaignIn,
    CampaignOut,
    CampaignPage,
    Choice,
    ChoicesOut,
    PreviewOut,
)
from livecommerce.domains.outreach.channels import CONSENT_FREE, REGISTRY
from livecommerce.domains.outreach.results import campaign_funnels
from livecommerce.domains.outreach.results_schemas import Funnel
from livecommerce.infra import db, queue
from livecommerce.infra.errors import DomainError, ErrorCode

SEND_JOB = "send_campaign"
PAGE_SIZE = 20
CHOICES_MAX = 200  # newest rooms and products offered as a link
# The sandbox only records what it would send (dev, test): it reaches nobody, so the preview
# does not count it.
_NOT_A_REACH = frozenset({"sandbox"})


def send_job_id(campaign_id: int) -> str:
    return f"outreach:campaign:{campaign_id}"


async def _link(conn: Connection, host_id: int, kind: str, target_id: int) -> str:
    """The path of the host's room or product the message leads to; 404 for another host's (or
    none), 409 for a product off the shelf (the buyer would land on nothing)."""
    if kind == "room":
        found = await conn.fetchval(
            "SELECT id FROM rooms WHERE id = $1 AND host_id = $2", target_id, host_id
        )
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no room {target_id}")
        return f"/rooms/{target_id}"
    on_shelf = await conn.fetchval(
        "SELECT on_shelf FROM products WHERE id = $1 AND host_id = $2", target_id, host_id
    )
    if on_shelf is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no product {target_id}")
    if not on_shelf:
        raise DomainError(
            ErrorCode.PRODUCT_UNAVAILABLE, detail=f"product {target_id} is off the shelf"
        )
    return f"/products/{target_id}"


def _out(row: Record, results: Funnel | None = None) -> CampaignOut:
    return CampaignOut(
        id=row["id"],
        segment_id=row["segment_id"],
        segment_name=row["segment_name"],
        title=row["title"],
        body=row["body"],
        link_kind=row["link_kind"],
        link_id=row["link_id"],
        link=row["link"],
        status=row["status"],
        audience=row["audience"],
        reached=row["reached"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        results=results or Funnel(),
    )


async def create(host_id: int, actor_id: int, data: CampaignIn) -> CampaignOut:
    """Make the campaign ('queued', its audience the segment's live count) and, once committed,
    enqueue the job that sends it (a sweeper sends it if that enqueue is lost)."""
    segment = await segments.get_segment(host_id, data.segment_id)  # 404: not the host's
    async with db.transaction() as tx:
        link = await _link(tx.conn, host_id, data.link_kind, data.link_id)
        row = await tx.conn.fetchrow(
            "INSERT INTO outreach_campaigns (host_id, segment_id, segment_name, title, body,"
            " link_kind, link_id, link, audience, created_by_id)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *",
            host_id,
            segment.id,
            segment.name[:40],
            data.title.strip(),
            data.body.strip(),
            data.link_kind,
            data.link_id,
            link,
            segment.count,
            actor_id,
        )
        campaign_id = int(row["id"])

        async def enqueue() -> None:
            await queue.enqueue(SEND_JOB, campaign_id, job_id=send_job_id(campaign_id))

        tx.after_commit(enqueue)
    return _out(row)


async def _row(conn: Connection, host_id: int, campaign_id: int) -> Record:
    row = await conn.fetchrow(
        "SELECT * FROM outreach_campaigns WHERE id = $1 AND host_id = $2", campaign_id, host_id
    )
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no campaign {campaign_id}")
    return row


async def get(host_id: int, campaign_id: int, *, attribution_days: int, zone: str) -> CampaignOut:
    async with db.connection() as conn:
        row = await _row(conn, host_id, campaign_id)
        funnels = await campaign_funnels(
            conn, host_id, [(row["id"], row["created_at"])], timedelta(days=attribution_days), zone
        )
    return _out(row, funnels.get(row["id"]))


async def page(
    host_id: int, *, before: int | None, attribution_days: int, zone: str, limit: int = PAGE_SIZE
) -> CampaignPage:
    """The host's campaigns, newest first, each with its results; `nextCursor` pages on."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT * FROM outreach_campaigns WHERE host_id = $1 AND ($2::int IS NULL OR id < $2)"
            " ORDER BY id DESC LIMIT $3",
            host_id,
            before,
            limit + 1,
        )
        shown = rows[:limit]
        funnels = await campaign_funnels(
            conn,
            host_id,
            [(r["id"], r["created_at"]) for r in shown],
            timedelta(days=attribution_days),
            zone,
        )
    return CampaignPage(
        items=[_out(r, funnels.get(r["id"])) for r in shown],
        next_cursor=shown[-1]["id"] if len(rows) > limit else None,
    )


async def choices(host_id: int) -> ChoicesOut:
    found = await segments.list_segments(host_id)
    async with db.connection() as conn:
        rooms = await conn.fetch(
            "SELECT id, title FROM rooms WHERE host_id = $1 ORDER BY id DESC LIMIT $2",
            host_id,
            CHOICES_MAX,
        )
        products = await conn.fetch(
            "SELECT id, title FROM products WHERE host_id = $1 AND on_shelf"
            " ORDER BY id DESC LIMIT $2",
            host_id,
            CHOICES_MAX,
        )
    return ChoicesOut(
        segments=[Choice(id=s.id, title=s.name, count=s.count) for s in found],
        rooms=[Choice(id=r["id"], title=r["title"]) for r in rooms],
        products=[Choice(id=r["id"], title=r["title"]) for r in products],
    )


# The preview: the rules of sending.py `_channels_for` (which channels a message gets a
# delivery on) and of delivery.py `_decide` (the cap per user and channel, for the channels it
# restrains), as one query over the segment's members. $1 members, $2 channels, $3 the host,
# $4 consent-free channels, $5 the cap in hours (0: none), $6 the channels the cap spares.
# Quiet hours only defer a delivery, so they change nobody's count.
_PREVIEW_SQL = """
WITH people AS (SELECT DISTINCT unnest($1::int[]) AS user_id),
chan AS (SELECT unnest($2::text[]) AS channel),
allowed AS (
  SELECT p.user_id, c.channel FROM people p CROSS JOIN chan c
  WHERE NOT EXISTS (
      SELECT 1 FROM outreach_consents k WHERE k.user_id = p.user_id AND k.channel = c.channel
        AND k.host_id = $3 AND k.muted)
    AND (c.channel = ANY($4::text[]) OR EXISTS (
      SELECT 1 FROM outreach_consents k WHERE k.user_id = p.user_id AND k.channel = c.channel
        AND k.host_id = 0 AND (k.standing OR k.once_left > 0)))
),
through AS (
  SELECT a.user_id, a.channel FROM allowed a
  WHERE $5::float8 <= 0 OR a.channel = ANY($6::text[]) OR NOT EXISTS (
    SELECT 1 FROM outreach_deliveries d WHERE d.user_id = a.user_id AND d.channel = a.channel
      AND d.status IN ('sending', 'sent', 'delivered')
      AND d.sent_at > now() - make_interval(secs => $5::float8 * 3600))
)
SELECT channel, count(*) AS n, NULL::bigint AS anyone FROM through GROUP BY channel
UNION ALL SELECT NULL, NULL, count(DISTINCT user_id) FROM through
"""

# The host's messages sent today (a message counts once), as delivery.py `_over_host_cap`.
_HOST_TODAY_SQL = (
    "SELECT count(DISTINCT message_id) FROM outreach_deliveries"
    " WHERE host_id = $1 AND status IN ('sending', 'sent', 'delivered')"
    " AND sent_at >= (date_trunc('day', now() AT TIME ZONE $2) AT TIME ZONE $2)"
)


async def preview(host_id: int, segment_id: int) -> PreviewOut:
    rules = config.current()
    channels = [n for n in REGISTRY.names() if n not in _NOT_A_REACH]
    spared = [n for n in channels if not delivery.restrained(n)]
    async with db.connection() as conn:
        members = await segments.members_of(conn, host_id, segment_id)  # 404: not the host's
        rows = await conn.fetch(
            _PREVIEW_SQL,
            members,
            channels,
            host_id,
            sorted(CONSENT_FREE),
            rules.cap_hours,
            spared,
        )
        left: int | None = None
        if rules.host_daily_cap > 0:
            sent = int(await conn.fetchval(_HOST_TODAY_SQL, host_id, rules.default_zone))
            left = max(0, rules.host_daily_cap - sent)
    per_channel: dict[str, int] = dict.fromkeys(channels, 0)
    reachable = 0
    for r in rows:
        if r["channel"] is None:
            reachable = int(r["anyone"])
        else:
            per_channel[r["channel"]] = int(r["n"])
    if left is not None:
        reachable = min(reachable, left)
    return PreviewOut(
        segment_id=segment_id,
        members=len(members),
        reachable=reachable,
        channels=per_channel,
        host_daily_left=left,
    )
