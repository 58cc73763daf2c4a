"""Buyer-facing outreach routes: my notification settings and consents, my inbox, and the two
public links every message carries (/o tracked, /u unsubscribe: link_pages.py)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import Redirect

from livecommerce.domains.outreach import consent, inbox, inbox_push, link_pages
from livecommerce.domains.outreach.schemas import (
    ChangeSettings,
    InboxItem,
    InboxPage,
    NotificationSettings,
    OnceGranted,
    ReadAll,
    UnreadCount,
    Unsubscribed,
)
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, authenticated, provide_actor
from livecommerce.infra.errors import DomainError, ErrorCode

ME = {"actor": Provide(provide_actor)}
Token = Annotated[str, Parameter(max_length=200)]
ChannelName = Annotated[str, Parameter(max_length=16)]


class NotificationSettingsController(Controller):
    path = "/api/me"
    tags = ["outreach"]
    guards = [authenticated]
    dependencies = ME

    @get("/notification-settings")
    async def read(self, actor: Actor) -> NotificationSettings:
        """Per channel: whether this site sends on it, my standing opt-in, my one-time consents;
        my quiet hours, time zone, language and e-mail address."""
        return await consent.settings(actor.id)

    @put("/notification-settings")
    async def change(self, actor: Actor, data: ChangeSettings) -> NotificationSettings:
        """Change what is given (absent fields stay). Switching a channel off also drops its
        one-time consents. 422 `notification_settings_invalid` with `field`."""
        return await consent.change(actor.id, data)

    @post("/consents/{channel:str}/once", status_code=200)
    async def once(self, actor: Actor, channel: ChannelName) -> OnceGranted:
        """One more one-time consent on the channel: it lets exactly one message through (like a
        mini-program subscription). 404 for an unknown channel, 409 `consent_limit_reached`."""
        left = await consent.grant_once(actor.id, channel)
        return OnceGranted(channel=channel, once_left=left)


def _item(found: inbox.Item) -> InboxItem:
    return InboxItem(**dataclasses.asdict(found))


class InboxController(Controller):
    path = "/api/me/inbox"
    tags = ["outreach"]
    guards = [authenticated]
    dependencies = ME

    @get("/")
    async def page(
        self,
        actor: Actor,
        before: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
    ) -> InboxPage:
        """My inbox, newest first; `before` is the previous page's nextCursor."""
        async with db.connection() as conn:
            items = await inbox.page(conn, actor.id, before, limit + 1)
            unread = await inbox.unread(conn, actor.id)
        more = len(items) > limit
        items = items[:limit]
        return InboxPage(
            items=[_item(i) for i in items],
            unread=unread,
            next_cursor=items[-1].id if more else None,
        )

    @get("/unread-count")
    async def unread(self, actor: Actor) -> UnreadCount:
        async with db.connection() as conn:
            return UnreadCount(unread=await inbox.unread(conn, actor.id))

    @post("/{delivery_id:int}/read", status_code=200)
    async def read(self, actor: Actor, delivery_id: int) -> UnreadCount:
        """Mark one of my items read (twice is once); another user's item is 404."""
        async with db.transaction() as tx:
            if not await inbox.mark_read(tx.conn, actor.id, delivery_id):
                raise DomainError(ErrorCode.NOT_FOUND, detail=f"no inbox item {delivery_id}")
            count = await inbox.unread(tx.conn, actor.id)
            tx.after_commit(lambda: inbox_push.announce_count(actor.id))
        return UnreadCount(unread=count)

    @post("/read-all", status_code=200)
    async def read_all(self, actor: Actor) -> ReadAll:
        async with db.transaction() as tx:
            marked = await inbox.mark_all_read(tx.conn, actor.id)
            tx.after_commit(lambda: inbox_push.announce_count(actor.id))
        return ReadAll(marked=marked, unread=0)


class LinkController(Controller):
    """Public: a message is read where nobody is logged in (a mail client, a lock screen)."""

    tags = ["outreach"]

    @get("/o/{token:str}", status_code=302)
    async def follow(self, token: Token) -> Redirect:
        """A message's tracked link: records the first click, then leads to the message's page on
        this site (never elsewhere)."""
        return Redirect(path=await link_pages.follow(token), status_code=302)

    @get("/u/{token:str}", media_type=MediaType.HTML)
    async def unsubscribe_page(self, token: Token) -> Response[str]:
        """The unsubscribe page of a message (zh-CN first): one button per choice."""
        return Response(await link_pages.page(token), media_type=MediaType.HTML)

    @post("/u/{token:str}", status_code=200)
    async def unsubscribe(self, request: Request[Any, Any, Any], token: Token) -> Response[Any]:
        """Revoke the consent the link names (its channel; only its host with scope 'host', the
        default when it names one). A form, JSON or an RFC 8058 one-click POST; a forged token is
        404 `outreach_link_invalid`."""
        link_pages.read(token)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        scope = ""
        if content_type.endswith("json"):
            raw = await request.body()
            if raw:
                try:
                    body = msgspec.json.decode(raw, type=dict[str, Any])
                except msgspec.DecodeError as exc:
                    raise DomainError(ErrorCode.VALIDATION_ERROR, detail="not JSON") from exc
                value = body.get("scope", "")
                scope = value if isinstance(value, str) else "?"
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            value = form.get("scope", "")
            scope = value if isinstance(value, str) else "?"
        done = await link_pages.unsubscribe(token, scope[:8])
        if content_type.endswith("json"):
            return Response(
                Unsubscribed(channel=done["channel"], scope=done["scope"], host_id=done["host_id"])
            )
        name = await link_pages.host_name(done["host_id"])
        return Response(
            link_pages.done_page(done["channel"], done["scope"], name), media_type=MediaType.HTML
        )


CONTROLLERS = [NotificationSettingsController, InboxController, LinkController]
