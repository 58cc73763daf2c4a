"""The host's outreach results: per journey, per campaign and per business day, the messages
made and how far they got (sent, delivered, opened, clicked on any channel), and the orders
that followed within the attribution window (outreach/attribution.py) with their sales.

Two queries whatever the size of the host: one over the period's messages and their
deliveries, one over the attributed orders, each grouped by journey, by campaign, by day and in
total at once (GROUPING SETS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from asyncpg import Connection, Record

from livecommerce.domains.outreach.attribution import FOLLOWED_SQL
from livecommerce.domains.outreach.results_schemas import (
    CampaignResult,
    DayResult,
    Funnel,
    JourneyResult,
    ResultsOut,
)
from livecommerce.domains.outreach.sending import JOURNEYS
from livecommerce.infra import db

# GROUPING(journey, campaign_id, day): a bit is set for each column rolled up.
BY_JOURNEY, BY_CAMPAIGN, BY_DAY, TOTAL = 0b011, 0b101, 0b110, 0b111

_MESSAGES_SQL = """
WITH per_message AS (
  SELECT m.id, m.journey, m.campaign_id, (m.created_at AT TIME ZONE $4)::date AS day,
    bool_or(d.sent_at IS NOT NULL) AS sent, bool_or(d.delivered_at IS NOT NULL) AS delivered,
    bool_or(d.opened_at IS NOT NULL) AS opened, bool_or(d.clicked_at IS NOT NULL) AS clicked
  FROM outreach_messages m LEFT JOIN outreach_deliveries d ON d.message_id = m.id
  WHERE m.host_id = $1 AND m.created_at >= $2 AND m.created_at < $3
  GROUP BY m.id
)
SELECT journey, campaign_id, day, GROUPING(journey, campaign_id, day) AS g,
  count(*) AS messages, count(*) FILTER (WHERE sent) AS sent,
  count(*) FILTER (WHERE delivered) AS delivered, count(*) FILTER (WHERE opened) AS opened,
  count(*) FILTER (WHERE clicked) AS clicked
FROM per_message GROUP BY GROUPING SETS ((journey), (campaign_id), (day), ())
"""

_ORDERS_SQL = f"""
SELECT journey, campaign_id, day, GROUPING(journey, campaign_id, day) AS g,
  count(*) AS orders, sum(sales) AS sales
FROM (SELECT f.*, (f.paid_at AT TIME ZONE $5)::date AS day FROM ({FOLLOWED_SQL}) f) f
GROUP BY GROUPING SETS ((journey), (campaign_id), (day), ())
"""

_FUNNEL_FIELDS = ("messages", "sent", "delivered", "opened", "clicked")


@dataclass
class Figures:
    """The period's figures, each a dict of Funnel fields."""

    total: dict[str, int] = field(default_factory=dict)
    journeys: dict[str, dict[str, int]] = field(default_factory=dict)
    campaigns: dict[int, dict[str, int]] = field(default_factory=dict)
    days: dict[date, dict[str, int]] = field(default_factory=dict)

    def _slot(self, g: int, row: Record) -> dict[str, int] | None:
        get = row.__getitem__
        if g == TOTAL:
            return self.total
        if g == BY_JOURNEY:
            return self.journeys.setdefault(get("journey"), {})
        if g == BY_CAMPAIGN:
            return (
                None
                if get("campaign_id") is None
                else self.campaigns.setdefault(get("campaign_id"), {})
            )
        if g == BY_DAY:
            return self.days.setdefault(get("day"), {})
        return None


async def figures(
    conn: Connection,
    host_id: int,
    since: datetime,
    until: datetime,
    window: timedelta,
    zone: str,
) -> Figures:
    out = Figures()
    for row in await conn.fetch(_MESSAGES_SQL, host_id, since, until, zone):
        slot = out._slot(row["g"], row)
        if slot is not None:
            slot.update({name: int(row[name]) for name in _FUNNEL_FIELDS})
    for row in await conn.fetch(_ORDERS_SQL, host_id, since, until, window, zone):
        slot = out._slot(row["g"], row)
        if slot is not None:
            slot.update(orders=int(row["orders"]), sales=int(row["sales"] or 0))
    return out


def _funnel(values: dict[str, int] | None) -> dict[str, int]:
    return dict(values or {})


def period(days: int, zone: str, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The last `days` business days up to now: from the first one's midnight in `zone`."""
    until = now or datetime.now(UTC)
    tz = ZoneInfo(zone)
    first = until.astimezone(tz).date() - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=tz).astimezone(UTC)
    return since, until


async def results(
    host_id: int, days: int, *, attribution_days: int, zone: str, now: datetime | None = None
) -> ResultsOut:
    since, until = period(days, zone, now)
    window = timedelta(days=attribution_days)
    async with db.connection() as conn:
        got = await figures(conn, host_id, since, until, window, zone)
        titles = await conn.fetch(
            "SELECT id, title FROM outreach_campaigns WHERE host_id = $1"
            " AND (created_at >= $2 OR id = ANY($3::int[])) ORDER BY id DESC",
            host_id,
            since,
            list(got.campaigns),
        )
    first = since.astimezone(ZoneInfo(zone)).date()
    return ResultsOut(
        days=days,
        attribution_days=attribution_days,
        since=since,
        until=until,
        total=Funnel(**_funnel(got.total)),
        journeys=[JourneyResult(journey=j, **_funnel(got.journeys.get(j))) for j in JOURNEYS],
        campaigns=[
            CampaignResult(
                campaign_id=r["id"], title=r["title"], **_funnel(got.campaigns.get(r["id"]))
            )
            for r in titles
        ],
        by_day=[
            DayResult(
                day=d,
                sent=got.days.get(d, {}).get("sent", 0),
                orders=got.days.get(d, {}).get("orders", 0),
                sales=got.days.get(d, {}).get("sales", 0),
            )
            for d in (first + timedelta(days=i) for i in range(days))
        ],
    )


async def campaign_funnels(
    conn: Connection,
    host_id: int,
    campaigns: list[tuple[int, datetime]],
    window: timedelta,
    zone: str,
) -> dict[int, Funnel]:
    """Each campaign's funnel since it was made (the campaigns given as (id, created_at))."""
    if not campaigns:
        return {}
    since = min(at for _, at in campaigns)
    got = await figures(conn, host_id, since, datetime.now(UTC), window, zone)
    return {cid: Funnel(**_funnel(got.campaigns.get(cid))) for cid, _ in campaigns}
