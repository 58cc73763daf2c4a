"""The distributor's workbench over HTTP: the product library, one link per target, posters,
links with their results and the buyers bound now."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter

from livecommerce.domains.distribution import buyers, library, link_stats, posters
from livecommerce.domains.distribution.schemas import (
    BoundBuyerPage,
    EnsureLink,
    LibraryPage,
    LinkStatsPage,
    ShareLinkOut,
)
from livecommerce.infra.auth import Actor, authenticated, provide_actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

Limit = Annotated[int, Parameter(ge=1, le=100)]
MAX_ID = 2_147_483_647


def _env(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state.settings


class LibraryController(Controller):
    path = "/api/distributors"
    tags = ["distribution"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/me/library")
    async def library(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        q: Annotated[str | None, Parameter(max_length=60)] = None,
        host_id: Annotated[int | None, QueryParameter(name="hostId", ge=1)] = None,
        kind: Literal["all", "product", "room"] = "all",
        offset: Annotated[int, Parameter(ge=0, le=10_000)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=50)] = 20,
    ) -> LibraryPage:
        """What you can promote: live rooms, upcoming ones, then products on shelf (every
        host's), with what each level earns at today's price and your link if you made one.
        `q` searches titles, `hostId` keeps one host's."""
        return await library.browse(
            _env(request), actor.id, q=q, host_id=host_id, kind=kind, offset=offset, limit=limit
        )

    @post("/me/library/links")
    async def link(
        self, request: Request[Any, Any, Any], actor: Actor, data: EnsureLink
    ) -> Response[ShareLinkOut]:
        """Your link to a product or room: made on the first call (201), the same one after
        (200), however often and however concurrently it is asked for."""
        out, made = await library.ensure_link(
            _env(request), actor.id, product_id=data.product_id, room_id=data.room_id
        )
        return Response(out, status_code=201 if made else 200)

    @get("/me/posters", media_type="image/png", cache_control=None)
    async def poster(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        product_id: Annotated[int | None, QueryParameter(name="productId", ge=1, le=MAX_ID)] = None,
        room_id: Annotated[int | None, QueryParameter(name="roomId", ge=1, le=MAX_ID)] = None,
        lang: Literal["zh-CN", "en"] = "zh-CN",
    ) -> Response[bytes]:
        """A PNG poster (750 x 1180) of a product or room with the QR code of your link (made
        if you have none), drawn once and kept until what it shows changes."""
        if (product_id is None) == (room_id is None):
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, detail="give exactly one of productId or roomId"
            )
        made = await posters.poster(
            _env(request), actor.id, product_id=product_id, room_id=room_id, lang=lang
        )
        headers = {"Cache-Control": "private, max-age=300", "ETag": made.etag}
        if request.headers.get("if-none-match") == made.etag:
            return Response(b"", status_code=304, headers=headers)
        return Response(
            made.png,
            media_type=posters.CONTENT_TYPE,
            headers={**headers, "X-Poster": "cached" if made.cached else "drawn"},
        )

    @get("/me/links")
    async def links(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cursor: int | None = None,
        limit: Limit = 20,
    ) -> LinkStatsPage:
        """Your links, newest first, each with clicks, the buyers bound through it and the
        paid orders (count, fen net of refunds) attributed to it."""
        return await link_stats.my_links(_env(request), actor.id, cursor, limit)

    @get("/me/buyers")
    async def bound_buyers(
        self, actor: Actor, cursor: int | None = None, limit: Limit = 20
    ) -> BoundBuyerPage:
        """The buyers bound to you now (names masked), newest binding first, with their paid
        orders attributed to you."""
        return await buyers.bound_buyers(actor.id, cursor, limit)


CONTROLLERS = [LibraryController]
