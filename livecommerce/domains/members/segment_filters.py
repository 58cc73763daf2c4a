"""A segment's filters and their SQL. Every value the user gave is a bind parameter (`$n`); the
SQL text is made only of the fixed fragments below, chosen by which filters are set, so no
input ever becomes SQL.

Over a host's people (people.py): members, buyers of any order, those its rules tagged. A
person without a paid order has spend 0, 0 orders and no last purchase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

import msgspec

from livecommerce.domains.members.people import PEOPLE

INT4_MAX = 2**31 - 1
Fen = Annotated[int, msgspec.Meta(ge=0, le=10**13)]
Count = Annotated[int, msgspec.Meta(ge=0, le=INT4_MAX)]
Days = Annotated[int, msgspec.Meta(ge=1, le=3650)]
Id = Annotated[int, msgspec.Meta(ge=1, le=INT4_MAX)]
# A tag code (`rfm:vip`, `manual:3`) or a family ending in `*` (`viewed:*`).
TagCode = Annotated[
    str, msgspec.Meta(min_length=1, max_length=48, pattern=r"^[a-z_]+:[a-z0-9_:*]*$")
]
TierCode = Annotated[str, msgspec.Meta(max_length=16)]


class SegmentFilters(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    """All set filters must hold (AND); a list matches any of its values."""

    spend_min: Fen | None = None  # lifetime spend, fen, inclusive
    spend_max: Fen | None = None
    orders_min: Count | None = None  # paid orders
    orders_max: Count | None = None
    paid_within_days: Days | None = None  # last purchase within N days
    not_paid_for_days: Days | None = None  # no purchase in the last N days (or never)
    tier_codes: Annotated[list[TierCode], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    tags_any: Annotated[list[TagCode], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    tags_none: Annotated[list[TagCode], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    room_ids: Annotated[list[Id], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )  # watched any of these
    rooms_watched_min: Annotated[int, msgspec.Meta(ge=1, le=10_000)] | None = None
    distributor_id: Id | None = None  # brought by: bound to, or an order attributed to
    active_within_days: Days | None = None  # any behaviour event with the host within N days
    inactive_for_days: Days | None = None  # none within N days


@dataclass
class Compiled:
    """`sql` selects one row per matching person (user_id, username, display_name, tier_code,
    lifetime_spend, paid_orders, last_paid_at); `args` are its parameters ($1 the host,
    $2 the time the relative filters count back from)."""

    sql: str
    args: list[Any] = field(default_factory=list)


def _split(codes: list[str]) -> tuple[list[str], list[str]]:
    exact = [c for c in codes if not c.endswith("*")]
    prefixes = [
        c[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for c in codes
        if c.endswith("*")
    ]
    return exact, prefixes


def compile_filters(host_id: int, f: SegmentFilters, as_of: datetime, search: str = "") -> Compiled:
    args: list[Any] = [host_id, as_of]

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    # $2 typed once here: a filter set that counts back from nothing still binds it.
    where: list[str] = ["$2::timestamptz IS NOT NULL"]
    spend = "coalesce(m.lifetime_spend, 0)"
    orders = "coalesce(m.paid_orders, 0)"
    if f.spend_min is not None:
        where.append(f"{spend} >= {arg(f.spend_min)}")
    if f.spend_max is not None:
        where.append(f"{spend} <= {arg(f.spend_max)}")
    if f.orders_min is not None:
        where.append(f"{orders} >= {arg(f.orders_min)}")
    if f.orders_max is not None:
        where.append(f"{orders} <= {arg(f.orders_max)}")
    if f.paid_within_days is not None:
        where.append(f"m.last_paid_at >= $2 - make_interval(days => {arg(f.paid_within_days)})")
    if f.not_paid_for_days is not None:
        where.append(
            "(m.last_paid_at IS NULL OR"
            f" m.last_paid_at < $2 - make_interval(days => {arg(f.not_paid_for_days)}))"
        )
    if f.tier_codes:
        where.append(f"coalesce(m.tier_code, '') = ANY({arg(list(f.tier_codes))}::text[])")
    for codes, negate in ((f.tags_any, False), (f.tags_none, True)):
        if not codes:
            continue
        exact, prefixes = _split(list(codes))
        match = f"(t.code = ANY({arg(exact)}::text[]) OR t.code LIKE ANY({arg(prefixes)}::text[]))"
        clause = (
            "EXISTS (SELECT 1 FROM member_tags t WHERE t.host_id = $1 AND t.user_id = p.user_id"
            f" AND (t.expires_at IS NULL OR t.expires_at > $2) AND {match})"
        )
        where.append(f"NOT {clause}" if negate else clause)
    if f.room_ids:
        where.append(
            "EXISTS (SELECT 1 FROM behaviour_events e WHERE e.user_id = p.user_id"
            " AND e.host_id = $1 AND e.kind = 'room_enter'"
            f" AND e.room_id = ANY({arg(list(f.room_ids))}::int[]))"
        )
    if f.rooms_watched_min is not None:
        where.append(
            "(SELECT count(DISTINCT e.room_id) FROM behaviour_events e WHERE e.user_id = p.user_id"
            f" AND e.host_id = $1 AND e.kind = 'room_enter') >= {arg(f.rooms_watched_min)}"
        )
    if f.distributor_id is not None:
        d = arg(f.distributor_id)
        where.append(
            "(EXISTS (SELECT 1 FROM orders o WHERE o.host_id = $1 AND o.buyer_id = p.user_id"
            f" AND (o.attribution->>'distributorId')::int = {d})"
            " OR EXISTS (SELECT 1 FROM referral_bindings b WHERE b.buyer_id = p.user_id"
            f" AND b.distributor_id = {d} AND (b.expires_at IS NULL OR b.expires_at > $2)))"
        )
    for days, negate in ((f.active_within_days, False), (f.inactive_for_days, True)):
        if days is None:
            continue
        clause = (
            "EXISTS (SELECT 1 FROM behaviour_events e WHERE e.user_id = p.user_id"
            f" AND e.host_id = $1 AND e.occurred_at >= $2 - make_interval(days => {arg(days)})"
            " AND e.occurred_at <= $2)"
        )
        where.append(f"NOT {clause}" if negate else clause)
    text = search.strip().lower()
    if text:
        pattern = arg(
            "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        clause = f"lower(u.username) LIKE {pattern} OR lower(u.display_name) LIKE {pattern}"
        if text.isdigit() and len(text) <= 9:
            clause += f" OR u.id = {arg(int(text))}"
        where.append(f"({clause})")
    sql = (
        "SELECT p.user_id, u.username, u.display_name, coalesce(m.tier_code, '') AS tier_code,"
        f" {spend}::bigint AS lifetime_spend, {orders}::int AS paid_orders, m.last_paid_at"
        f" FROM ({PEOPLE}) p JOIN users u ON u.id = p.user_id"
        " LEFT JOIN members m ON m.host_id = $1 AND m.user_id = p.user_id"
    )
    sql += " WHERE " + " AND ".join(where)
    return Compiled(sql=sql, args=args)
