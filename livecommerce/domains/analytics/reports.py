"""What a host reads: a funnel, a session's sales as visitors × conversion × value per buyer
against the room's previous session, and the same three figures per day.

Money and buyers come from orders (the truth: paid, less what was refunded, as the session
report's GMV counts it); visitors from the behaviour events (distinct viewers entering).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from livecommerce.domains.analytics import rules
from livecommerce.domains.analytics.funnel_sql import FunnelQuery
from livecommerce.domains.analytics.schemas import (
    Changes,
    Contributions,
    DailyFigures,
    DailyOut,
    DecompositionOut,
    Factors,
    FunnelOut,
    FunnelStep,
    SessionRef,
)
from livecommerce.domains.analytics.store import EventStore
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

# Paid and not wholly refunded, as live/figures.py counts a session's GMV.
_SOLD = "paid_at IS NOT NULL AND status <> 'refunded'"


def _not_found(what: str, value: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no {what} {value}")


async def check_owned(
    host_id: int, *, session_id: int | None, room_id: int | None, product_id: int | None
) -> dict[str, Any] | None:
    """404 unless each given id is the host's; returns the session row when one is given."""
    session = None
    async with db.connection() as conn:
        if session_id is not None:
            session = await conn.fetchrow(
                "SELECT s.id, s.room_id, s.title, s.started_at, s.ended_at FROM live_sessions s"
                " JOIN rooms r ON r.id = s.room_id WHERE s.id = $1 AND r.host_id = $2",
                session_id,
                host_id,
            )
            if session is None:
                raise _not_found("session", session_id)
        if room_id is not None and not await conn.fetchval(
            "SELECT 1 FROM rooms WHERE id = $1 AND host_id = $2", room_id, host_id
        ):
            raise _not_found("room", room_id)
        if product_id is not None and not await conn.fetchval(
            "SELECT 1 FROM products WHERE id = $1 AND host_id = $2", product_id, host_id
        ):
            raise _not_found("product", product_id)
    return dict(session) if session else None


async def funnel(events: EventStore, query: FunnelQuery) -> FunnelOut:
    counts = await events.funnel(query)
    steps = []
    for i, (kind, viewers) in enumerate(zip(query.steps, counts, strict=True)):
        first, previous = counts[0], counts[i - 1] if i else viewers
        steps.append(
            FunnelStep(
                kind=kind,
                viewers=viewers,
                of_first=viewers / first if first else 0.0,
                of_previous=viewers / previous if previous else 0.0,
            )
        )
    return FunnelOut(
        steps=steps,
        since=query.since,
        until=query.until,
        window_hours=int(query.window.total_seconds() // 3600),
    )


def _factors(d: rules.Decomposition) -> Factors:
    return Factors(
        visitors=d.visitors,
        buyers=d.buyers,
        sales=d.sales,
        conversion=d.conversion,
        value_per_buyer=d.value_per_buyer,
    )


def _ref(row: Any) -> SessionRef:
    return SessionRef(
        id=row["id"], room_id=row["room_id"], title=row["title"], started_at=row["started_at"]
    )


async def decomposition(events: EventStore, host_id: int, session_id: int) -> DecompositionOut:
    session = await check_owned(host_id, session_id=session_id, room_id=None, product_id=None)
    assert session is not None
    async with db.connection() as conn:
        previous = await conn.fetchrow(
            "SELECT id, room_id, title, started_at, unique_viewers FROM live_sessions"
            " WHERE room_id = $1 AND id <> $2 AND started_at IS NOT NULL"
            " AND started_at < coalesce($3::timestamptz, 'infinity')"
            " ORDER BY started_at DESC, id DESC LIMIT 1",
            session["room_id"],
            session_id,
            session["started_at"],
        )
        ids = [session_id] + ([previous["id"]] if previous else [])
        sold = await conn.fetch(
            "SELECT session_id, count(DISTINCT buyer_id) AS buyers,"
            f" coalesce(sum(pay_amount - refunded_amount), 0) AS sales FROM orders"
            f" WHERE session_id = ANY($1::int[]) AND {_SOLD} GROUP BY session_id",
            ids,
        )
        viewers = await conn.fetch(
            "SELECT id, unique_viewers FROM live_sessions WHERE id = ANY($1::int[])", ids
        )
    visitors = await events.visitors_by_session(host_id, ids)
    counted = {r["id"]: int(r["unique_viewers"] or 0) for r in viewers}
    by_session = {r["session_id"]: (int(r["buyers"]), int(r["sales"])) for r in sold}

    def of(sid: int) -> rules.Decomposition:
        buyers, sales = by_session.get(sid, (0, 0))
        # Sessions from before events were recorded: the room's own unique-viewer count.
        return rules.decompose(visitors.get(sid) or counted.get(sid, 0), buyers, sales)

    now_, before = of(session_id), (of(previous["id"]) if previous else None)
    split = rules.contributions(now_, before) if before else None
    return DecompositionOut(
        session=_ref(session),
        current=_factors(now_),
        previous_session=_ref(previous) if previous else None,
        previous=_factors(before) if before else None,
        changes=Changes(
            visitors=rules.change(now_.visitors, before.visitors if before else None),
            conversion=rules.change(now_.conversion, before.conversion if before else None),
            value_per_buyer=rules.change(
                now_.value_per_buyer, before.value_per_buyer if before else None
            ),
            sales=rules.change(now_.sales, before.sales if before else None),
        ),
        contributions=Contributions(
            visitors=split.visitors,
            conversion=split.conversion,
            value_per_buyer=split.value_per_buyer,
        )
        if split
        else None,
    )


async def daily(events: EventStore, host_id: int, days: int, today: date | None = None) -> DailyOut:
    """The last `days` UTC days, oldest first, each decomposed."""
    last = today or datetime.now(UTC).date()
    first = last - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=UTC)
    until = since + timedelta(days=days)
    visitors = await events.visitors_by_day(host_id, since, until)
    async with db.connection() as conn:
        sold = await conn.fetch(
            "SELECT (paid_at AT TIME ZONE 'UTC')::date AS day, count(DISTINCT buyer_id) AS buyers,"
            " coalesce(sum(pay_amount - refunded_amount), 0) AS sales FROM orders"
            f" WHERE host_id = $1 AND paid_at >= $2 AND paid_at < $3 AND {_SOLD} GROUP BY 1",
            host_id,
            since,
            until,
        )
    by_day = {r["day"]: (int(r["buyers"]), int(r["sales"])) for r in sold}
    out = []
    for i in range(days):
        day = first + timedelta(days=i)
        buyers, sales = by_day.get(day, (0, 0))
        d = rules.decompose(visitors.get(day, 0), buyers, sales)
        out.append(
            DailyFigures(
                day=day,
                visitors=d.visitors,
                buyers=d.buyers,
                sales=d.sales,
                conversion=d.conversion,
                value_per_buyer=d.value_per_buyer,
            )
        )
    return DailyOut(days=out)
