"""Wire shapes of outreach's buyer-facing routes (camelCase, bounded)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from livecommerce.infra.schema import In, Out

Channel = Annotated[str, msgspec.Meta(max_length=16)]


class ChannelSetting(Out):
    channel: str
    available: bool  # this site sends on it
    needs_consent: bool  # False: the inbox (your own page) and the sandbox
    standing: bool  # opted in (for the inbox: not turned off)
    once_left: int  # one-time consents held: each lets one message through


class MutedHost(Out):
    channel: str
    host_id: int
    host_name: str


class NotificationSettings(Out):
    channels: list[ChannelSetting]
    muted: list[MutedHost]
    lang: str
    time_zone: str  # '' the site's
    effective_time_zone: str
    quiet_hours: str  # '' the site's, 'off', or 'HH:MM-HH:MM'
    effective_quiet_hours: str
    email: str
    once_limit: int


class ChannelChange(In, frozen=True):
    channel: Channel
    standing: bool


class Unmute(In, frozen=True):
    channel: Channel
    host_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class ChangeSettings(In, frozen=True):
    channels: Annotated[list[ChannelChange], msgspec.Meta(max_length=10)] | None = None
    unmute: Annotated[list[Unmute], msgspec.Meta(max_length=100)] | None = None
    lang: Annotated[str, msgspec.Meta(max_length=8)] | None = None
    time_zone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    quiet_hours: Annotated[str, msgspec.Meta(max_length=11)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=254)] | None = None


class OnceGranted(Out):
    channel: str
    once_left: int


class InboxItem(Out):
    id: int
    journey: str
    title: str
    body: str
    link: str
    tracked_link: str
    read: bool
    created_at: str
    host_id: int | None


class InboxPage(Out):
    items: list[InboxItem]
    unread: int
    next_cursor: int | None = None


class UnreadCount(Out):
    unread: int


class ReadAll(Out):
    marked: int
    unread: int


class UnsubscribeBody(In, frozen=True):
    # 'host': stop this host's messages on this channel; 'all': stop the channel altogether.
    scope: Annotated[str, msgspec.Meta(max_length=8)] = ""


class Unsubscribed(Out):
    channel: str
    scope: str
    host_id: int | None
