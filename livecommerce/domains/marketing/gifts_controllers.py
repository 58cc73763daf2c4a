"""Tips and gifts over HTTP: the catalogue, sending a gift in a room, a session's and a host's
tip figures, and the operator's catalogue and settings (audited)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post, put
from litestar.di import Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, Parameter, QueryParameter

from livecommerce.domains.marketing import (
    gifts_catalogue,
    gifts_reports,
    gifts_sending,
    gifts_settings,
)
from livecommerce.domains.marketing.gifts_rules import TipSettings, TipSettingsChange
from livecommerce.domains.marketing.gifts_schemas import (
    ChangeGift,
    CreateGift,
    GiftOut,
    HostTips,
    SendGift,
    SessionTips,
    TipOut,
)
from livecommerce.infra import audit, db
from livecommerce.infra.auth import Actor, authenticated, provide_actor, requires
from livecommerce.infra.errors import DomainError, ErrorCode

_actor = {"actor": Provide(provide_actor)}


class GiftCatalogueController(Controller):
    path = "/api/gifts"
    tags = ["tips"]

    @get("/")
    async def catalogue(self) -> list[GiftOut]:
        """The gifts a viewer may send now (the room's snapshot carries the same list)."""
        async with db.connection() as conn:
            return await gifts_catalogue.enabled_gifts(conn)


class RoomGiftController(Controller):
    path = "/api/rooms/{room_id:int}/gifts"
    tags = ["tips"]
    guards = [authenticated]
    dependencies = _actor

    @post("/", status_code=201, responses={201: ResponseSpec(TipOut, description="sent")})
    async def send(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        room_id: int,
        data: SendGift,
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=120)
        ] = None,
    ) -> Response[bytes]:
        """Send a gift to the room's live session from the wallet. Send an `Idempotency-Key`: a
        retry with the same key and body sends once and replays the answer. 409
        insufficient_balance, tip_limit_reached (`scope`: tip, session or day; `left`),
        gift_unavailable, room_not_live; 403 banned; 404 an unknown gift or room."""
        if not idempotency_key:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REQUIRED, detail="send an Idempotency-Key header"
            )
        status, body, replayed = await gifts_sending.send_gift(
            request.app.state.settings, actor, room_id, data, idempotency_key
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(body, status_code=status, media_type="application/json", headers=headers)


class SessionTipsController(Controller):
    path = "/api/sessions/{session_id:int}/tips"
    tags = ["tips"]
    guards = [authenticated]
    dependencies = _actor

    @get("/")
    async def session_tips(self, actor: Actor, session_id: int) -> SessionTips:
        """The session's tips for its report: count, fen, the host's share, top gifts and
        tippers. The host's (or an admin's) only: 404 otherwise."""
        return await gifts_reports.session_tips(session_id, actor)


class HostTipsController(Controller):
    path = "/api/host/tips"
    tags = ["tips"]
    guards = [requires("host")]
    dependencies = _actor

    @get("/")
    async def host_tips(self, request: Request[Any, Any, Any], actor: Actor) -> HostTips:
        """The host's tips today and in all, with its share after the platform's fee."""
        return await gifts_reports.host_tips(request.app.state.settings, actor.id)


class AdminGiftController(Controller):
    path = "/api/admin"
    tags = ["admin", "tips"]
    guards = [requires("admin")]
    dependencies = _actor

    @get("/gifts")
    async def gifts(self) -> list[GiftOut]:
        """The whole catalogue, disabled gifts too."""
        return await gifts_catalogue.all_gifts()

    @post("/gifts", status_code=201)
    async def create_gift(self, actor: Actor, data: CreateGift) -> GiftOut:
        """Add a gift (audited). The icon is one of GET /api/admin/gifts/icons."""
        return await gifts_catalogue.create_gift(actor.id, data)

    @patch("/gifts/{gift_id:int}")
    async def change_gift(self, actor: Actor, gift_id: int, data: ChangeGift) -> GiftOut:
        """Change a gift's name, icon, price, order or availability (audited: before, after,
        reason). Tips already sent keep the name and price they were sent at."""
        return await gifts_catalogue.change_gift(actor.id, gift_id, data)

    @get("/gifts/icons")
    async def icons(self) -> list[str]:
        """The gift icons committed under /static/gifts/."""
        return gifts_catalogue.icons()

    @get("/gifts/changes")
    async def changes(
        self,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 50,
        before_id: Annotated[int | None, QueryParameter(name="beforeId", ge=1)] = None,
    ) -> list[audit.AuditEntry]:
        """Every change of the catalogue and the tip settings, newest first."""
        async with db.connection() as conn:
            return await audit.entries(conn, action="gift.", before_id=before_id, limit=limit)

    @get("/tip-settings")
    async def tip_settings(self) -> TipSettings:
        """Tip caps (fen per tip, per session and per day per sender), the platform's fee (basis
        points), the hold before a host's share can be paid out, and leaderboards on or off."""
        return await gifts_settings.current()

    @put("/tip-settings")
    async def put_tip_settings(self, actor: Actor, data: TipSettingsChange) -> TipSettings:
        """Change some tip settings (the fields left out keep their value); audited."""
        return await gifts_settings.update(actor.id, msgspec.to_builtins(data))


CONTROLLERS = [
    GiftCatalogueController,
    RoomGiftController,
    SessionTipsController,
    HostTipsController,
    AdminGiftController,
]
