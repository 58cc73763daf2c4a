"""The rule tags, as pure functions of a member's figures (no I/O): which tags hold at `as_of`,
with the evidence (the figures that made each) and when it stops holding.

Codes (member_tags.code, at most 48 characters):
- `rfm:new` first purchase within `new_days`; `rfm:active` (not new) last purchase within
  `active_days`; `rfm:at_risk` last purchase `active_days`..`lost_days` ago; `rfm:lost` longer.
  Exactly one of the four for a member with a purchase. `rfm:vip` lifetime spend ≥ `vip_spend`.
- `affinity:p:{product}` the catalogue has no categories, so affinity is per product: bought in
  ≥ `affinity_min_orders` orders and ≥ `affinity_min_share_bp` of the member's spend (top 3).
- `viewed:p:{product}` viewed (product_view) on ≥ `viewed_min_days` distinct days (business time
  zone) within `viewed_lookback_days`, never bought (top 3 by days).
- `repurchase:p:{product}` due: the last purchase + the product's typical interval (the median
  gap between repeat purchases of it, from ≥ `repurchase_min_samples` gaps) has passed, and
  not yet twice that.

Expiry: a tag whose truth lapses with time alone expires then (new: first purchase +
`new_days`; active: last purchase + `active_days`; at risk: + `lost_days`; repurchase due: last
purchase + twice the interval). The others expire `ttl_hours` after `as_of`: a tag the worker
stops confirming stops showing. All evidence is a function of the figures and `as_of`, so two
recomputes with the same inputs write the same tags.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Annotated, Any

import msgspec

Days = Annotated[int, msgspec.Meta(ge=1, le=3650)]


class TagRuleConfig(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    """A host's thresholds (member_tag_rules.config); these defaults when the host set none."""

    new_days: Days = 30
    active_days: Days = 60
    lost_days: Days = 180
    vip_spend: Annotated[int, msgspec.Meta(ge=1, le=10**12)] = 200_000  # fen: ¥2,000
    affinity_min_orders: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 2
    affinity_min_share_bp: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 3000
    viewed_min_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 3
    viewed_lookback_days: Days = 30
    repurchase_min_samples: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 3
    ttl_hours: Annotated[int, msgspec.Meta(ge=1, le=24 * 90)] = 48

    def problems(self) -> list[str]:
        out = []
        if not self.active_days < self.lost_days:
            out.append("activeDays must be less than lostDays")
        if self.viewed_min_days > self.viewed_lookback_days:
            out.append("viewedMinDays must not exceed viewedLookbackDays")
        return out


class RuleTag(msgspec.Struct, frozen=True):
    user_id: int
    code: str
    evidence: dict[str, Any]
    expires_at: datetime


class MemberFacts(msgspec.Struct, frozen=True):
    user_id: int
    lifetime_spend: int
    paid_orders: int
    first_paid_at: datetime | None
    last_paid_at: datetime | None


class ProductBuys(msgspec.Struct, frozen=True):
    """One member's paid purchases of one product (refunded amounts taken off `spend`)."""

    user_id: int
    product_id: int
    title: str
    orders: int
    spend: int
    last_at: datetime


class ProductViews(msgspec.Struct, frozen=True):
    user_id: int
    product_id: int
    title: str
    days: int
    views: int
    first_at: datetime
    last_at: datetime


def _iso(value: datetime) -> str:
    return value.isoformat()


def lifecycle_tags(m: MemberFacts, cfg: TagRuleConfig, as_of: datetime) -> list[RuleTag]:
    """The member's recency group (one of new, active, at risk, lost) and VIP."""
    out: list[RuleTag] = []
    if m.last_paid_at is not None and m.first_paid_at is not None and m.paid_orders > 0:
        since_last = (as_of - m.last_paid_at).days
        facts = {
            "firstPaidAt": _iso(m.first_paid_at),
            "lastPaidAt": _iso(m.last_paid_at),
            "paidOrders": m.paid_orders,
            "daysSinceLastPaid": since_last,
        }
        new_until = m.first_paid_at + timedelta(days=cfg.new_days)
        active_until = m.last_paid_at + timedelta(days=cfg.active_days)
        risk_until = m.last_paid_at + timedelta(days=cfg.lost_days)
        if as_of < new_until:
            out.append(RuleTag(m.user_id, "rfm:new", {**facts, "newDays": cfg.new_days}, new_until))
        elif as_of < active_until:
            out.append(
                RuleTag(
                    m.user_id, "rfm:active", {**facts, "activeDays": cfg.active_days}, active_until
                )
            )
        elif as_of < risk_until:
            evidence = {**facts, "activeDays": cfg.active_days, "lostDays": cfg.lost_days}
            out.append(RuleTag(m.user_id, "rfm:at_risk", evidence, risk_until))
        else:
            out.append(
                RuleTag(
                    m.user_id,
                    "rfm:lost",
                    {**facts, "lostDays": cfg.lost_days},
                    as_of + timedelta(hours=cfg.ttl_hours),
                )
            )
    if m.lifetime_spend >= cfg.vip_spend:
        out.append(
            RuleTag(
                m.user_id,
                "rfm:vip",
                {"lifetimeSpend": m.lifetime_spend, "vipSpend": cfg.vip_spend},
                as_of + timedelta(hours=cfg.ttl_hours),
            )
        )
    return out


def affinity_tags(
    buys: list[ProductBuys], lifetime_spend: int, cfg: TagRuleConfig, as_of: datetime
) -> list[RuleTag]:
    """One member's product affinities (`buys` are theirs), the three largest by spend."""
    if lifetime_spend <= 0:
        return []
    chosen = [
        b
        for b in buys
        if b.orders >= cfg.affinity_min_orders
        and b.spend > 0
        and b.spend * 10_000 >= cfg.affinity_min_share_bp * lifetime_spend
    ]
    chosen.sort(key=lambda b: (-b.spend, b.product_id))
    return [
        RuleTag(
            b.user_id,
            f"affinity:p:{b.product_id}",
            {
                "productId": b.product_id,
                "title": b.title,
                "orders": b.orders,
                "spend": b.spend,
                "shareBp": b.spend * 10_000 // lifetime_spend,
            },
            as_of + timedelta(hours=cfg.ttl_hours),
        )
        for b in chosen[:3]
    ]


def viewed_tags(
    views: list[ProductViews], bought: set[int], cfg: TagRuleConfig, as_of: datetime
) -> list[RuleTag]:
    """One user's "viewed on ≥ N days, never bought" products (`bought`: product ids they paid
    for with this host, ever), the three viewed on most days."""
    chosen = [v for v in views if v.days >= cfg.viewed_min_days and v.product_id not in bought]
    chosen.sort(key=lambda v: (-v.days, -v.views, v.product_id))
    return [
        RuleTag(
            v.user_id,
            f"viewed:p:{v.product_id}",
            {
                "productId": v.product_id,
                "title": v.title,
                "days": v.days,
                "views": v.views,
                "firstViewAt": _iso(v.first_at),
                "lastViewAt": _iso(v.last_at),
                "lookbackDays": cfg.viewed_lookback_days,
            },
            as_of + timedelta(hours=cfg.ttl_hours),
        )
        for v in chosen[:3]
    ]


def typical_interval(gaps_days: list[float], min_samples: int) -> float | None:
    """The median gap in days between repeat purchases of a product, or None with too few."""
    usable = [g for g in gaps_days if g >= 1]
    if len(usable) < min_samples:
        return None
    return float(statistics.median(usable))


def repurchase_tags(
    buys: list[ProductBuys],
    intervals: dict[int, tuple[float, int]],
    cfg: TagRuleConfig,
    as_of: datetime,
) -> list[RuleTag]:
    """Products due again for one member: `intervals` maps product id to (median days,
    samples)."""
    out = []
    for b in sorted(buys, key=lambda b: b.product_id):
        known = intervals.get(b.product_id)
        if known is None or b.spend <= 0:
            continue
        days, samples = known
        due_at = b.last_at + timedelta(days=days)
        lapses_at = b.last_at + timedelta(days=2 * days)
        if due_at <= as_of < lapses_at:
            out.append(
                RuleTag(
                    b.user_id,
                    f"repurchase:p:{b.product_id}",
                    {
                        "productId": b.product_id,
                        "title": b.title,
                        "lastBoughtAt": _iso(b.last_at),
                        "intervalDays": round(days, 1),
                        "samples": samples,
                        "dueAt": _iso(due_at),
                    },
                    lapses_at,
                )
            )
    return out
