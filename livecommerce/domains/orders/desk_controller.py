"""The host order desk's API: /api/host/desk/… (hosts; an admin sees their own orders as a host).

A host's staff read it too (`OrderHooks.desk_scope` says whose orders), and never ship."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream

from livecommerce.domains.orders import desk, desk_export
from livecommerce.domains.orders.desk import (
    BulkShip,
    BulkShipOut,
    DeskFilter,
    DeskPage,
    DeskSession,
    PaidFeed,
    Tab,
)
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, current_actor, provide_actor, requires
from livecommerce.settings import Settings

SessionId = Annotated[int | None, QueryParameter(name="sessionId", ge=1, le=desk.INT4_MAX)]
DateFrom = Annotated[date | None, QueryParameter(name="from")]
DateTo = Annotated[date | None, QueryParameter(name="to")]
# An order id, a buyer's name, a recipient's name or phone, a tracking number: part of one.
Search = Annotated[str | None, Parameter(max_length=64)]


def _filter(
    settings: Settings,
    tab: Tab | None,
    session_id: int | None,
    date_from: date | None,
    date_to: date | None,
    q: str | None,
) -> DeskFilter:
    start, end = desk.day_range(date_from, date_to, settings.business_timezone)
    return DeskFilter(tab=tab, session_id=session_id, placed_from=start, placed_before=end, query=q)


async def desk_reader(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard: a host (or an admin), or a host's staff, who read the desk and never act on it."""
    actor = current_actor(connection)
    if not (actor.has("host") or "staff" in actor.roles):
        raise PermissionDeniedException("this needs the host role")


async def provide_desk_host(request: Request[Any, Any, Any]) -> int:
    """`desk_host`: the host whose orders these are (the actor; for staff, their host)."""
    actor = current_actor(request)
    if actor.has("host"):
        return actor.id
    async with db.connection() as conn:
        for scope in request.app.state.wiring.orders.desk_scope:
            host = await scope(conn, actor)
            if host is not None:
                return int(host)
    raise PermissionDeniedException("you do not work for a host")


class DeskController(Controller):
    path = "/api/host/desk"
    tags = ["orders"]
    guards = [desk_reader]
    dependencies = {"actor": Provide(provide_actor), "desk_host": Provide(provide_desk_host)}

    @get("/orders")
    async def orders(
        self,
        request: Request[Any, Any, Any],
        desk_host: int,
        tab: Tab | None = None,
        session_id: SessionId = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        q: Search = None,
        cursor: Annotated[int | None, Parameter(ge=1)] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> DeskPage:
        """The host's orders, newest first, by tab (`to_ship` is 待发货), live session, days
        placed (`from`, `to`, inclusive, in the business time zone) and a search; with the
        count of every tab under the same filters."""
        settings = request.app.state.settings
        found = _filter(settings, tab, session_id, date_from, date_to, q)
        return await desk.page(desk_host, found, cursor, limit)

    @get("/orders/export", media_type="text/csv")
    async def export(
        self,
        request: Request[Any, Any, Any],
        desk_host: int,
        tab: Tab | None = None,
        session_id: SessionId = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        q: Search = None,
        lang: desk_export.Lang = "zh-CN",
    ) -> Stream:
        """The same filters as a CSV file (UTF-8 with a BOM, for Excel), streamed."""
        settings = request.app.state.settings
        found = _filter(settings, tab, session_id, date_from, date_to, q)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return Stream(
            desk_export.export_csv(desk_host, found, lang, settings.business_timezone),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="orders-{stamp}.csv"',
                "Cache-Control": "no-store",
            },
        )

    @get("/paid")
    async def paid(self, desk_host: int, since: datetime | None = None) -> PaidFeed:
        """New paid orders to ship, for the desk to poll every few seconds: send the `cursor` of
        the previous answer as `since` (the first call, without it, only gives a cursor)."""
        return await desk.paid_feed(desk_host, since)

    @get("/sessions")
    async def sessions(self, desk_host: int) -> list[DeskSession]:
        """The live sessions the host's orders came from, latest first."""
        return await desk.sessions(desk_host)

    @post("/ship", status_code=200, guards=[requires("host")])
    async def ship(
        self, request: Request[Any, Any, Any], actor: Actor, data: BulkShip
    ) -> BulkShipOut:
        """Ship up to 100 paid orders, each with its carrier and tracking number; each succeeds
        or fails on its own and `results` says which. None shipped: the first failure's problem
        (404, 409), with `results`."""
        return await desk.ship_many(request.app.state.settings, actor, data.orders)


CONTROLLERS = [DeskController]
