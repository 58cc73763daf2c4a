"""A host's one-off messages to a segment: /api/host/outreach/campaigns (a host and its staff;
another host's campaign, segment, room or product is 404)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import Parameter

from livecommerce.domains.members import staff
from livecommerce.domains.outreach import campaigns
from livecommerce.domains.outreach.campaign_schemas import (
    INT4_MAX,
    CampaignIn,
    CampaignOut,
    CampaignPage,
    ChoicesOut,
    PreviewIn,
    PreviewOut,
)
from livecommerce.infra.auth import Actor, provide_actor
from livecommerce.settings import Settings

CampaignId = Annotated[int, Parameter(ge=1, le=INT4_MAX)]


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


class CampaignController(Controller):
    path = "/api/host/outreach/campaigns"
    tags = ["outreach"]
    guards = [staff.member_desk]
    dependencies = {"actor": Provide(provide_actor), "host_id": Provide(staff.provide_host_scope)}

    @post("/", status_code=201)
    async def create(self, actor: Actor, host_id: int, data: CampaignIn) -> CampaignOut:
        """Send a message to the members of one of the host's segments now (in the background,
        under the same consent, caps and quiet hours as every journey)."""
        return await campaigns.create(host_id, actor.id, data)

    @post("/preview", status_code=200)
    async def preview(self, host_id: int, data: PreviewIn) -> PreviewOut:
        """How many members the segment has now, and how many consent and caps let through."""
        return await campaigns.preview(host_id, data.segment_id)

    @get("/choices")
    async def choices(self, host_id: int) -> ChoicesOut:
        """The host's segments (with live counts), rooms and products on the shelf."""
        return await campaigns.choices(host_id)

    @get("/")
    async def list_campaigns(
        self,
        request: Request[Any, Any, Any],
        host_id: int,
        before: Annotated[int | None, Parameter(ge=1, le=INT4_MAX)] = None,
    ) -> CampaignPage:
        """The host's campaigns, newest first, with their results (`before`: a nextCursor)."""
        settings = _settings(request)
        return await campaigns.page(
            host_id,
            before=before,
            attribution_days=settings.attribution_days,
            zone=settings.business_timezone,
        )

    @get("/{campaign_id:int}")
    async def get_campaign(
        self, request: Request[Any, Any, Any], host_id: int, campaign_id: CampaignId
    ) -> CampaignOut:
        settings = _settings(request)
        return await campaigns.get(
            host_id,
            campaign_id,
            attribution_days=settings.attribution_days,
            zone=settings.business_timezone,
        )


CONTROLLERS = [CampaignController]
