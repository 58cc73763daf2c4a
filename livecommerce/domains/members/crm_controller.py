"""The hosts' CRM API for a host and its staff: /api/host/members (the list, the 360, notes,
tags, follow-up) and /api/host/tags (manual tags, rule thresholds, recompute now).

Every route is guarded by `member_desk` (host, staff, admin) and reads the host from
`host_id` (staff.provide_host_scope): another host's people, tags and segments are 404."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import Provide
from litestar.params import Parameter

from livecommerce.domains.members import customer360, notes, segments, staff, tag_jobs, tags
from livecommerce.domains.members.crm_schemas import (
    INT4_MAX,
    AddMemberTag,
    Customer360,
    FollowUpOut,
    MemberPage,
    MemberTagOut,
    NoteIn,
    NoteOut,
    SetFollowUp,
    TagDefIn,
    TagDefOut,
    TagsOut,
)
from livecommerce.domains.members.tag_rules import TagRuleConfig
from livecommerce.infra.auth import Actor, provide_actor

ObjectId = Annotated[int, Parameter(ge=1, le=INT4_MAX)]
DEPENDENCIES = {"actor": Provide(provide_actor), "host_id": Provide(staff.provide_host_scope)}


def _tz(request: Request[Any, Any, Any]) -> str:
    return request.app.state.settings.business_timezone


class MembersController(Controller):
    path = "/api/host/members"
    tags = ["members"]
    guards = [staff.member_desk]
    dependencies = DEPENDENCIES

    @get("/")
    async def list_members(
        self,
        host_id: int,
        q: Annotated[str, Parameter(max_length=64)] = "",
        tag: Annotated[
            str | None, Parameter(max_length=48, pattern=r"^[a-z_]+:[a-z0-9_:*]*$")
        ] = None,
        segment_id: Annotated[int | None, Parameter(query="segmentId", ge=1, le=INT4_MAX)] = None,
        offset: Annotated[int, Parameter(ge=0, le=100_000)] = 0,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> MemberPage:
        """The host's people, latest buyers first: a search (name, username or id), a tag code
        (or family `viewed:*`) and a saved segment narrow it; `total` counts them all."""
        return await segments.page(
            host_id, segment_id=segment_id, tag=tag, q=q, offset=offset, limit=limit
        )

    @get("/{user_id:int}")
    async def member(
        self, request: Request[Any, Any, Any], host_id: int, user_id: ObjectId
    ) -> Customer360:
        """The customer 360 of one of the host's people (404 for anyone else)."""
        return await customer360.customer_360(host_id, user_id, _tz(request))

    @post("/{user_id:int}/notes", status_code=201)
    async def add_note(
        self, actor: Actor, host_id: int, user_id: ObjectId, data: NoteIn
    ) -> NoteOut:
        return await notes.add_note(host_id, actor.id, user_id, data.body)

    @put("/{user_id:int}/follow-up")
    async def set_follow_up(
        self, actor: Actor, host_id: int, user_id: ObjectId, data: SetFollowUp
    ) -> FollowUpOut:
        """Set the follow-up status (todo 待跟进, in_progress 跟进中, won 已成交, lost 已流失);
        each change is kept in `history` (who, when, from → to)."""
        return await notes.set_follow_up(host_id, actor.id, user_id, data.status)

    @post("/{user_id:int}/tags", status_code=200)
    async def add_tag(
        self, actor: Actor, host_id: int, user_id: ObjectId, data: AddMemberTag
    ) -> list[MemberTagOut]:
        """Put one of the host's manual tags on the member; returns their tags."""
        return await tags.add_to_member(host_id, actor.id, user_id, data.tag_id)

    @delete("/{user_id:int}/tags/{tag_id:int}", status_code=200)
    async def remove_tag(
        self, host_id: int, user_id: ObjectId, tag_id: ObjectId
    ) -> list[MemberTagOut]:
        return await tags.remove_from_member(host_id, user_id, tag_id)


class TagsController(Controller):
    path = "/api/host/tags"
    tags = ["members"]
    guards = [staff.member_desk]
    dependencies = DEPENDENCIES

    @get("/")
    async def catalogue(self, host_id: int) -> TagsOut:
        """The host's manual tags (with how many carry each) and the rule tags holding now."""
        return await tags.catalogue(host_id)

    @post("/", status_code=201)
    async def create(self, actor: Actor, host_id: int, data: TagDefIn) -> TagDefOut:
        return await tags.create_def(host_id, actor.id, data)

    @delete("/{tag_id:int}", status_code=204)
    async def delete_tag(self, host_id: int, tag_id: ObjectId) -> Response[None]:
        """Delete a manual tag: it comes off every member."""
        await tags.delete_def(host_id, tag_id)
        return Response(None, status_code=204)

    @get("/rules")
    async def rules(self, host_id: int) -> TagRuleConfig:
        """The thresholds of the rule tags (the defaults until the host sets them)."""
        return await tags.rules_of(host_id)

    @put("/rules")
    async def set_rules(self, host_id: int, data: TagRuleConfig) -> TagRuleConfig:
        return await tags.set_rules(host_id, data)

    @post("/recompute", status_code=200)
    async def recompute(self, request: Request[Any, Any, Any], host_id: int) -> tag_jobs.Recomputed:
        """Recompute the host's rule tags now (the worker does it every hour)."""
        return await tag_jobs.recompute(host_id, tz=_tz(request))


CONTROLLERS = [MembersController, TagsController]
