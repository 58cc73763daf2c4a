"""A host's one-off message to a segment (a campaign, journey 'broadcast'): what the host sends
and what it reads back (camelCase JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from livecommerce.domains.outreach.results_schemas import Funnel
from livecommerce.infra.schema import In, Out

INT4_MAX = 2**31 - 1
Id = Annotated[int, msgspec.Meta(ge=1, le=INT4_MAX)]
# What the buyer reads: a short title, a body; at least one character that is not a space.
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"\S")]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=r"\S")]
LinkKind = Literal["room", "product"]
Status = Literal["queued", "sending", "sent"]


class CampaignIn(In, frozen=True):
    """Send `title` and `body` to the members of the host's segment now; the message leads to
    one of the host's rooms or products."""

    segment_id: Id
    title: Title
    body: Body
    link_kind: LinkKind
    link_id: Id


class PreviewIn(In, frozen=True):
    segment_id: Id


class PreviewOut(Out):
    """`members`: the segment's live count; `reachable`: of them, how many the consent and the
    caps would let a message through to now, on any channel; `channels`: per channel."""

    segment_id: int
    members: int
    reachable: int
    channels: dict[str, int]
    host_daily_left: int | None = None  # messages the host may still send today (None: no cap)


class CampaignOut(Out):
    id: int
    segment_id: int | None
    segment_name: str
    title: str
    body: str
    link_kind: str
    link_id: int
    link: str
    status: str
    audience: int  # the segment's members when sending began (at creation until then)
    reached: int  # messages made so far
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    results: Funnel


class CampaignPage(Out):
    items: list[CampaignOut]
    next_cursor: int | None = None


class Choice(Out):
    id: int
    title: str
    count: int | None = None  # a segment's live count


class ChoicesOut(Out):
    """What a campaign can go to (the host's segments) and lead to (its rooms, its products on
    the shelf), for the composer: staff do not know their host's id to ask the lists."""

    segments: list[Choice]
    rooms: list[Choice]
    products: list[Choice]
