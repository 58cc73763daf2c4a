"""A distributor's team: level 1 are the distributors they recruited, level 2 those recruited
by them, down to the levels commissions are paid on; with each member's sales this month (the
paid orders of buyers attributed to that member, net of refunds)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from livecommerce.domains.distribution import config, distributors
from livecommerce.domains.distribution.link_stats import ATTRIBUTED_TO, PAID
from livecommerce.domains.distribution.schemas import TeamMember, TeamPage
from livecommerce.infra import db
from livecommerce.infra.text import mask_name
from livecommerce.settings import Settings

MAX_LEVELS = 3  # the most levels the settings allow (rules.DistributionConfig.levels)
# GET /me/team's handler has no settings to hand yet: BUSINESS_TIMEZONE's default until it does.
DEFAULT_TIMEZONE = Settings().business_timezone


def month_start(now: datetime, timezone: str) -> datetime:
    """The first instant of `now`'s calendar month in `timezone` (aware)."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def team(
    user_id: int,
    level: int | None,
    cursor: int | None,
    limit: int,
    *,
    timezone: str = DEFAULT_TIMEZONE,
) -> TeamPage:
    """The downline by level (newest first; `cursor` is a distributor profile id), the count
    and this month's sales of each level."""
    async with db.connection() as conn:
        await distributors.profile(conn, user_id)
        levels = (await config.load(conn)).levels
        rows = await conn.fetch(
            "WITH RECURSIVE down(user_id, level) AS ("
            "  SELECT user_id, 1 FROM distributors WHERE parent_id = $1"
            "  UNION ALL SELECT d.user_id, down.level + 1"
            "  FROM down JOIN distributors d ON d.parent_id = down.user_id"
            "  WHERE down.level < $2)"
            " SELECT d.id, down.user_id, down.level, d.code, d.created_at, u.display_name,"
            "  'distributor' = ANY(u.roles) AS active"
            " FROM down JOIN distributors d ON d.user_id = down.user_id"
            " JOIN users u ON u.id = down.user_id"
            " ORDER BY d.id DESC",
            user_id,
            levels,
        )
        since = month_start(datetime.now(ZoneInfo(timezone)), timezone)
        sales = await conn.fetch(
            f"SELECT {ATTRIBUTED_TO} AS member, count(*) AS orders,"
            " COALESCE(SUM(pay_amount - refunded_amount), 0)::bigint AS sales FROM orders"
            f" WHERE {ATTRIBUTED_TO} = ANY($1::int[]) AND {PAID} AND paid_at >= $2"
            " GROUP BY 1",
            [r["user_id"] for r in rows],
            since,
        )
    month = {r["member"]: (r["orders"], r["sales"]) for r in sales}
    per_level = [str(n) for n in range(1, MAX_LEVELS + 1)]
    counts = {n: sum(1 for r in rows if str(r["level"]) == n) for n in per_level}
    totals = {
        n: sum(month.get(r["user_id"], (0, 0))[1] for r in rows if str(r["level"]) == n)
        for n in per_level
    }
    chosen = [
        r
        for r in rows
        if (level is None or r["level"] == level) and (cursor is None or r["id"] < cursor)
    ]
    items = [
        TeamMember(
            user_id=r["user_id"],
            name=mask_name(r["display_name"]),
            code=r["code"],
            level=r["level"],
            status="active" if r["active"] else "pending",
            joined_at=r["created_at"],
            orders_this_month=month.get(r["user_id"], (0, 0))[0],
            sales_this_month=month.get(r["user_id"], (0, 0))[1],
        )
        for r in chosen[:limit]
    ]
    return TeamPage(
        counts=counts,
        items=items,
        next_cursor=chosen[limit - 1]["id"] if len(chosen) > limit else None,
        levels=levels,
        sales_this_month=totals,
    )
