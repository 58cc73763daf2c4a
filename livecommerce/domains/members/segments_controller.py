"""Saved segments: /api/host/segments (a host and its staff)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Stream

from livecommerce.domains.members import segments, staff
from livecommerce.domains.members.crm_schemas import INT4_MAX, MemberPage
from livecommerce.domains.members.segments import CountOut, PreviewIn, SegmentIn, SegmentOut
from livecommerce.infra.auth import Actor, provide_actor

SegmentId = Annotated[int, Parameter(ge=1, le=INT4_MAX)]


class SegmentsController(Controller):
    path = "/api/host/segments"
    tags = ["members"]
    guards = [staff.member_desk]
    dependencies = {"actor": Provide(provide_actor), "host_id": Provide(staff.provide_host_scope)}

    @get("/")
    async def list_segments(self, host_id: int) -> list[SegmentOut]:
        """The host's segments, each with its live count."""
        return await segments.list_segments(host_id)

    @post("/", status_code=201)
    async def create(self, actor: Actor, host_id: int, data: SegmentIn) -> SegmentOut:
        return await segments.save(host_id, actor.id, data)

    @post("/preview", status_code=200)
    async def preview(self, host_id: int, data: PreviewIn) -> CountOut:
        """How many people the filters match now (the live count while editing)."""
        return await segments.preview(host_id, data.filters)

    @get("/{segment_id:int}")
    async def get_segment(self, host_id: int, segment_id: SegmentId) -> SegmentOut:
        return await segments.get_segment(host_id, segment_id)

    @put("/{segment_id:int}")
    async def replace(
        self, actor: Actor, host_id: int, segment_id: SegmentId, data: SegmentIn
    ) -> SegmentOut:
        return await segments.save(host_id, actor.id, data, segment_id)

    @delete("/{segment_id:int}", status_code=204)
    async def delete_segment(self, host_id: int, segment_id: SegmentId) -> Response[None]:
        await segments.delete(host_id, segment_id)
        return Response(None, status_code=204)

    @get("/{segment_id:int}/members")
    async def members(
        self,
        host_id: int,
        segment_id: SegmentId,
        offset: Annotated[int, Parameter(ge=0, le=100_000)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> MemberPage:
        return await segments.page(host_id, segment_id=segment_id, offset=offset, limit=limit)

    @get("/{segment_id:int}/export", media_type="text/csv")
    async def export(
        self,
        request: Request[Any, Any, Any],
        host_id: int,
        segment_id: SegmentId,
        lang: Literal["zh-CN", "en"] = "zh-CN",
    ) -> Stream:
        """The segment's people as CSV (UTF-8 with a BOM, for Excel), streamed."""
        await segments.get_segment(host_id, segment_id)  # 404 before the stream starts
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        tz = request.app.state.settings.business_timezone
        return Stream(
            segments.export_csv(host_id, segment_id, lang, tz),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="segment-{segment_id}-{stamp}.csv"',
                "Cache-Control": "no-store",
            },
        )


CONTROLLERS = [SegmentsController]
