"""Recomputing a host's rule tags (tag_rules.py) from its members, orders and behaviour events.

`recompute(host_id, as_of)` reads the figures, applies the rules and makes member_tags say
exactly that in one transaction: every rule tag that holds is written (evidence, expiry), every
rule tag of the host that no longer holds is deleted, manual tags are never touched. A
transaction-scoped advisory lock per host serialises two runs; the same inputs and `as_of`
write the same rows, so the cron job running twice, or late, changes nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from asyncpg import Connection

from livecommerce.domains.members import tag_rules
from livecommerce.domains.members.tag_rules import (
    MemberFacts,
    ProductBuys,
    ProductViews,
    RuleTag,
    TagRuleConfig,
)
from livecommerce.infra import db, queue

DEFAULT_TZ = "Asia/Shanghai"


async def config_of(conn: Connection, host_id: int) -> TagRuleConfig:
    raw = await conn.fetchval("SELECT config FROM member_tag_rules WHERE host_id = $1", host_id)
    if raw is None:
        return TagRuleConfig()
    data = raw if isinstance(raw, str) else json.dumps(raw)
    return msgspec.json.decode(data, type=TagRuleConfig)


async def _members(conn: Connection, host_id: int) -> list[MemberFacts]:
    rows = await conn.fetch(
        "SELECT user_id, lifetime_spend, paid_orders, first_paid_at, last_paid_at"
        " FROM members WHERE host_id = $1",
        host_id,
    )
    return [MemberFacts(**dict(r)) for r in rows]


# Per (buyer, product): paid orders of it and what stayed paid (refunds taken off); an order
# whose item was refunded in full does not count as a purchase of it.
_BUYS = """
SELECT o.buyer_id AS user_id, i.product_id, max(p.title) AS title,
  count(DISTINCT o.id) FILTER (WHERE i.paid_amount > i.refunded_amount) AS orders,
  sum(i.paid_amount - i.refunded_amount)::bigint AS spend,
  max(o.paid_at) AS last_at
FROM orders o JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id
WHERE o.host_id = $1 AND o.paid_at IS NOT NULL AND o.paid_at <= $2
GROUP BY o.buyer_id, i.product_id
"""

# The gaps (days) between one buyer's consecutive purchases of the same product.
_GAPS = """
WITH bought AS (
  SELECT DISTINCT o.buyer_id, i.product_id, o.id, o.paid_at
  FROM orders o JOIN order_items i ON i.order_id = o.id
  WHERE o.host_id = $1 AND o.paid_at IS NOT NULL AND o.paid_at <= $2
    AND i.paid_amount > i.refunded_amount
), gaps AS (
  SELECT product_id, extract(epoch FROM paid_at - lag(paid_at)
    OVER (PARTITION BY buyer_id, product_id ORDER BY paid_at, id)) / 86400.0 AS gap
  FROM bought
)
SELECT product_id, array_agg(gap::float8 ORDER BY gap) AS gaps
FROM gaps WHERE gap IS NOT NULL GROUP BY product_id
"""

# Days (in the business time zone) on which each user viewed each of the host's products.
_VIEWS = """
SELECT e.user_id, e.product_id, max(p.title) AS title,
  count(DISTINCT (e.occurred_at AT TIME ZONE $5)::date)::int AS days,
  count(*)::int AS views, min(e.occurred_at) AS first_at, max(e.occurred_at) AS last_at
FROM behaviour_events e JOIN products p ON p.id = e.product_id AND p.host_id = $1
WHERE e.host_id = $1 AND e.kind = 'product_view' AND e.user_id IS NOT NULL
  AND e.occurred_at >= $2 AND e.occurred_at <= $3
GROUP BY e.user_id, e.product_id
HAVING count(DISTINCT (e.occurred_at AT TIME ZONE $5)::date) >= $4
"""


async def compute(
    conn: Connection, host_id: int, as_of: datetime, tz: str = DEFAULT_TZ
) -> list[RuleTag]:
    """Every rule tag that holds for the host's people at `as_of`."""
    cfg = await config_of(conn, host_id)
    members = await _members(conn, host_id)
    buys: dict[int, list[ProductBuys]] = {}
    for row in await conn.fetch(_BUYS, host_id, as_of):
        buys.setdefault(row["user_id"], []).append(ProductBuys(**dict(row)))
    intervals: dict[int, tuple[float, int]] = {}
    for row in await conn.fetch(_GAPS, host_id, as_of):
        median = tag_rules.typical_interval(list(row["gaps"]), cfg.repurchase_min_samples)
        if median is not None:
            intervals[row["product_id"]] = (median, len([g for g in row["gaps"] if g >= 1]))
    views: dict[int, list[ProductViews]] = {}
    since = as_of - timedelta(days=cfg.viewed_lookback_days)
    for row in await conn.fetch(_VIEWS, host_id, since, as_of, cfg.viewed_min_days, tz):
        views.setdefault(row["user_id"], []).append(ProductViews(**dict(row)))

    tags: list[RuleTag] = []
    for member in members:
        mine = buys.get(member.user_id, [])
        tags += tag_rules.lifecycle_tags(member, cfg, as_of)
        tags += tag_rules.affinity_tags(mine, member.lifetime_spend, cfg, as_of)
        tags += tag_rules.repurchase_tags(mine, intervals, cfg, as_of)
    for user_id, seen in views.items():
        bought = {b.product_id for b in buys.get(user_id, [])}
        tags += tag_rules.viewed_tags(seen, bought, cfg, as_of)
    return tags


class Recomputed(msgspec.Struct, rename="camel"):
    host_id: int
    tags: int
    removed: int
    as_of: datetime


async def recompute(
    host_id: int, as_of: datetime | None = None, tz: str = DEFAULT_TZ
) -> Recomputed:
    """Make the host's rule tags exactly what holds at `as_of` (default now)."""
    as_of = as_of or datetime.now(UTC)
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('member_tags'), $1)", host_id)
        tags = await compute(conn, host_id, as_of, tz)
        users = [t.user_id for t in tags]
        codes = [t.code for t in tags]
        await conn.execute(
            "INSERT INTO member_tags"
            " (host_id, user_id, kind, code, evidence, expires_at, computed_at, created_at)"
            " SELECT $1, t.u, 'rule', t.c, t.e::jsonb, t.x, $6, $6"
            " FROM unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[]) AS t(u, c, e, x)"
            " ON CONFLICT (host_id, user_id, code) DO UPDATE SET evidence = EXCLUDED.evidence,"
            "  expires_at = EXCLUDED.expires_at, computed_at = EXCLUDED.computed_at"
            " WHERE member_tags.kind = 'rule'",
            host_id,
            users,
            codes,
            [msgspec.json.encode(t.evidence).decode() for t in tags],
            [t.expires_at for t in tags],
            as_of,
        )
        removed = await conn.fetchval(
            "WITH gone AS (DELETE FROM member_tags m WHERE m.host_id = $1 AND m.kind = 'rule'"
            " AND NOT EXISTS (SELECT 1 FROM unnest($2::int[], $3::text[]) AS t(u, c)"
            "  WHERE t.u = m.user_id AND t.c = m.code) RETURNING 1)"
            " SELECT count(*) FROM gone",
            host_id,
            users,
            codes,
        )
    return Recomputed(host_id=host_id, tags=len(tags), removed=removed, as_of=as_of)


def _tz(ctx: dict[str, Any]) -> str:
    settings = ctx.get("settings")
    return getattr(settings, "business_timezone", DEFAULT_TZ) or DEFAULT_TZ


async def recompute_host_tags(ctx: dict[str, Any], host_id: int) -> int:
    """One host's rule tags, now."""
    return (await recompute(host_id, tz=_tz(ctx))).tags


async def recompute_all_tags(ctx: dict[str, Any]) -> int:
    """Hourly: one job per host that has members or products, keyed by host and hour so a cron
    run twice enqueues each once (and the recompute itself is idempotent anyway)."""
    async with db.connection() as conn:
        hosts = await conn.fetch(
            "SELECT DISTINCT host_id FROM members UNION SELECT DISTINCT host_id FROM products"
        )
    hour = datetime.now(UTC).strftime("%Y%m%d%H")
    for row in hosts:
        await queue.enqueue(
            "recompute_host_tags", row["host_id"], job_id=f"tags:{row['host_id']}:{hour}"
        )
    return len(hosts)


FUNCTIONS = [recompute_host_tags, recompute_all_tags]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (recompute_all_tags, {"minute": {17}, "second": {0}}),
]
