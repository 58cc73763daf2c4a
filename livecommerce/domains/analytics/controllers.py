"""The host's analytics: funnels, a session's sales decomposition, figures per day.

Over one host's events and orders: the host's own, or for a host's staff their host's
(`AnalyticsHooks.host_scope`, filled by the domain that knows staff); another host's session,
room or product is 404.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Parameter

from livecommerce.domains.analytics import options, reports, store
from livecommerce.domains.analytics.beacon import CONTROLLERS as BEACON_CONTROLLERS
from livecommerce.domains.analytics.events import KINDS
from livecommerce.domains.analytics.funnel_sql import FunnelQuery
from livecommerce.domains.analytics.hooks import AnalyticsHooks
from livecommerce.domains.analytics.schemas import (
    Channel,
    DailyOut,
    DecompositionOut,
    FilterOptions,
    FunnelOut,
)
from livecommerce.infra import db
from livecommerce.infra.auth import current_actor
from livecommerce.infra.errors import DomainError, ErrorCode

DEFAULT_STEPS = "room_enter,product_view,checkout_start,paid"
MAX_PERIOD = timedelta(days=400)


async def analytics_reader(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """Guard: a host (or an admin), or a host's staff; which host is `analytics_host`."""
    actor = current_actor(connection)
    if not (actor.has("host") or "staff" in actor.roles):
        raise PermissionDeniedException("this needs the host role")


async def provide_analytics_host(request: Request[Any, Any, Any]) -> int:
    """`analytics_host`: the host whose analytics these are (the actor; for staff, their host)."""
    actor = current_actor(request)
    if actor.has("host"):
        return actor.id
    hooks: AnalyticsHooks | None = getattr(request.app.state.wiring, "analytics", None)
    if hooks is not None and hooks.host_scope is not None:
        async with db.connection() as conn:
            host = await hooks.host_scope(conn, actor)
        if host is not None:
            return int(host)
    raise PermissionDeniedException("you do not work for a host")


def _steps(raw: str) -> tuple[str, ...]:
    steps = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [s for s in steps if s not in KINDS]
    if unknown or not 2 <= len(steps) <= 8 or len(set(steps)) != len(steps):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            detail="steps: 2 to 8 distinct kinds of " + ", ".join(KINDS),
        )
    return steps


class HostAnalyticsController(Controller):
    path = "/api/host/analytics"
    tags = ["analytics"]
    guards = [analytics_reader]
    dependencies = {"analytics_host": Provide(provide_analytics_host)}

    @get("/funnel")
    async def funnel(
        self,
        analytics_host: int,
        steps: Annotated[str, Parameter(max_length=200)] = DEFAULT_STEPS,
        since: Annotated[datetime | None, Parameter(query="from")] = None,
        until: Annotated[datetime | None, Parameter(query="to")] = None,
        window_hours: Annotated[int, Parameter(query="windowHours", ge=1, le=720)] = 24,
        session_id: Annotated[int | None, Parameter(query="sessionId", ge=1, le=2**31 - 1)] = None,
        room_id: Annotated[int | None, Parameter(query="roomId", ge=1, le=2**31 - 1)] = None,
        product_id: Annotated[int | None, Parameter(query="productId", ge=1, le=2**31 - 1)] = None,
        distributor_id: Annotated[
            int | None, Parameter(query="distributorId", ge=1, le=2**31 - 1)
        ] = None,
        channel: Channel | None = None,
    ) -> FunnelOut:
        """Viewers reaching each step in order (comma-separated kinds, default room_enter →
        product_view → checkout_start → paid), each step at or after the one before and the last
        within `windowHours` of the first; filtered by session, room, product (events about no
        product stay), distributor or channel (viewers with an event of it). The period defaults
        to the session's broadcast, else the last 7 days."""
        kinds = _steps(steps)
        session = await reports.check_owned(
            analytics_host, session_id=session_id, room_id=room_id, product_id=product_id
        )
        window = timedelta(hours=window_hours)
        now = datetime.now(UTC)
        if session is not None and since is None and session["started_at"] is not None:
            since = session["started_at"] - timedelta(hours=1)
            until = until or min(now, (session["ended_at"] or now) + window)
        until = until or now
        since = since or until - timedelta(days=7)
        if since.tzinfo is None or until.tzinfo is None:
            raise DomainError(ErrorCode.VALIDATION_ERROR, detail="from and to need a time zone")
        if not since < until or until - since > MAX_PERIOD:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, detail="from must be before to, at most 400 days"
            )
        query = FunnelQuery(
            host_id=analytics_host,
            steps=kinds,
            since=since,
            until=until,
            window=window,
            session_id=session_id,
            room_id=room_id,
            product_id=product_id,
            distributor_id=distributor_id,
            channel=channel,
        )
        return await reports.funnel(store.store(), query)

    @get("/options")
    async def filter_options(self, analytics_host: int) -> FilterOptions:
        """The rooms, broadcasts, products and distributors a funnel can be narrowed to."""
        return await options.filter_options(analytics_host)

    @get("/sessions/{session_id:int}/decomposition")
    async def decomposition(self, analytics_host: int, session_id: int) -> DecompositionOut:
        """The session's sales = visitors × conversion × value per buyer, against the room's
        previous session: each factor's change and how many fen of the change it explains."""
        return await reports.decomposition(store.store(), analytics_host, session_id)

    @get("/daily")
    async def daily(
        self, analytics_host: int, days: Annotated[int, Parameter(ge=1, le=92)] = 30
    ) -> DailyOut:
        """Visitors, buyers, sales, conversion and value per buyer per UTC day, oldest first."""
        return await reports.daily(store.store(), analytics_host, days)


CONTROLLERS = [*BEACON_CONTROLLERS, HostAnalyticsController]
