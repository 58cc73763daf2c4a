"""Viewed, not bought: a viewer who looked at the same product on VIEW_DAYS distinct days (in the
host's zone) within VIEW_WINDOW_DAYS, and did not buy it, gets a copy of the coupon the host chose
and a message about it; at most once per VIEW_WINDOW_DAYS per (user, product).

The sweep (hourly) finds the candidates with one statement over the product_view events of the
hosts that switched the journey on. Each candidate is one transaction: a lock on (user, product),
then "was one given in the last 30 days?", then the copy through the coupon engine
(promotions.coupons.issue_copy: quota and per-user limits under the coupon's row lock) and the
message with period `product:{id}:{30-day bucket}` (its unique key stops a second run in the
bucket; the lock and the check stop one in the next bucket within 30 days). A coupon the engine
refuses (sold out, the user's limit) rolls the candidate back: no message without its coupon.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from asyncpg import Connection, Record

from livecommerce.domains.outreach import cycle_rules
from livecommerce.domains.outreach.cycles import BOUGHT
from livecommerce.domains.outreach.sending import Reach, reach
from livecommerce.domains.promotions import coupons
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError

log = structlog.get_logger("outreach.viewed")
JOURNEY = "viewed_not_bought"
WINDOW = timedelta(days=cycle_rules.VIEW_WINDOW_DAYS)

# $1 now, $2 the window, $3 distinct days needed, $4 the site's zone (hosts without their own).
CANDIDATES_SQL = f"""
WITH hosts AS (
  SELECT js.host_id, js.coupon_id,
         coalesce((SELECT l.timezone FROM member_tier_ladders l WHERE l.host_id = js.host_id),
                  $4::text) AS zone
  FROM outreach_journey_settings js
  -- A coupon past its end gives nothing (the engine checks quota and limits, not the end).
  JOIN coupons cp ON cp.id = js.coupon_id AND (cp.valid_to IS NULL OR cp.valid_to > $1)
  WHERE js.journey = '{JOURNEY}' AND js.enabled
), viewed AS (
  SELECT e.host_id, e.user_id, e.product_id, h.coupon_id, h.zone
  FROM hosts h JOIN behaviour_events e ON e.host_id = h.host_id
  WHERE e.kind = 'product_view' AND e.user_id IS NOT NULL AND e.product_id IS NOT NULL
    AND e.occurred_at > $1::timestamptz - $2::interval AND e.occurred_at <= $1::timestamptz
  GROUP BY e.host_id, e.user_id, e.product_id, h.coupon_id, h.zone
  HAVING count(DISTINCT (e.occurred_at AT TIME ZONE h.zone)::date) >= $3::int
)
SELECT v.* FROM viewed v
JOIN products p ON p.id = v.product_id AND p.host_id = v.host_id
WHERE NOT EXISTS (
    SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id
    WHERE o.buyer_id = v.user_id AND i.product_id = v.product_id AND {BOUGHT}
      AND o.paid_at > $1::timestamptz - $2::interval)
  AND NOT EXISTS (
    SELECT 1 FROM outreach_messages m
    WHERE m.user_id = v.user_id AND m.journey = '{JOURNEY}'
      AND m.period LIKE 'product:' || v.product_id || ':%'
      AND m.created_at > $1::timestamptz - $2::interval)
ORDER BY v.host_id, v.user_id, v.product_id
"""


def period(product_id: int, day: datetime) -> str:
    return f"product:{product_id}:{cycle_rules.bucket(day.date())}"


async def candidates(conn: Connection, now: datetime, zone: str) -> list[Record]:
    return await conn.fetch(CANDIDATES_SQL, now, WINDOW, cycle_rules.VIEW_DAYS, zone)


async def _given_lately(conn: Connection, user_id: int, product_id: int, now: datetime) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM outreach_messages WHERE user_id = $1 AND journey = $2"
            " AND period LIKE $3 AND created_at > $4::timestamptz - $5::interval)",
            user_id,
            JOURNEY,
            f"product:{product_id}:%",
            now,
            WINDOW,
        )
    )


async def give(candidate: Record, now: datetime) -> bool:
    """One candidate, one transaction: the coupon copy and the message, or nothing."""
    user_id, product_id = candidate["user_id"], candidate["product_id"]
    try:
        async with db.transaction() as tx:
            conn = tx.conn
            # One giver at a time per (user, product): the check below then sees the other's.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                f"outreach:viewed:{user_id}:{product_id}",
            )
            if await _given_lately(conn, user_id, product_id, now):
                return False
            day = now.astimezone(ZoneInfo(candidate["zone"])).date()
            copy = await coupons.issue_copy(conn, candidate["coupon_id"], user_id, day)
            coupon = await conn.fetchrow(
                "SELECT title, amount_off FROM coupons WHERE id = $1", candidate["coupon_id"]
            )
            title = await conn.fetchval("SELECT title FROM products WHERE id = $1", product_id)
            made = await reach(
                tx,
                Reach(
                    user_id=user_id,
                    host_id=candidate["host_id"],
                    journey=JOURNEY,
                    period=period(product_id, now.astimezone(ZoneInfo(candidate["zone"]))),
                    template=JOURNEY,
                    context={
                        "product_id": product_id,
                        "product_title": title or "",
                        "coupon_id": candidate["coupon_id"],
                        "user_coupon_id": copy["id"],
                        "coupon_title": coupon["title"],
                        "amount_off": coupon["amount_off"],
                    },
                    link=f"/products/{product_id}",
                ),
            )
            if made is None:
                raise _AlreadySaid  # the copy goes back with the rollback
            return True
    except _AlreadySaid:
        return False
    except DomainError as exc:
        log.info("viewed_coupon_refused", user_id=user_id, product_id=product_id, code=exc.code)
        return False


class _AlreadySaid(Exception):
    """This bucket's message exists already: roll the coupon copy back."""


async def sweep(now: datetime, zone: str) -> tuple[int, int]:
    """(candidates found, coupons given with their message)."""
    async with db.connection() as conn:
        found = await candidates(conn, now, zone)
    given = 0
    for candidate in found:
        given += await give(candidate, now)
    return len(found), given


async def still_unbought(conn: Connection, message: Record) -> bool:
    """The re-check: not bought since the coupon was given."""
    try:
        product_id = int(str(message["period"]).split(":")[1])
    except (ValueError, IndexError):
        return False
    return not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id"
        f" WHERE o.buyer_id = $1 AND i.product_id = $2 AND {BOUGHT} AND o.paid_at > $3)",
        message["user_id"],
        product_id,
        message["created_at"],
    )
