"""The two links every message carries, public on purpose (a message is read outside the site):

- /o/{token}: the tracked link. The token is a signed delivery id; the first click is recorded
  (clicked_at, and opened_at: a click is an open), then a 302 to the message's link, a path of
  this site only (`sending.safe_link` when it was made and again here: never an open redirect).
  A forged or unknown token goes to the home page, recording nothing.
- /u/{token}: unsubscribe without login. The token (signed: user, channel, host) names whose
  consent; GET shows a small page and a button, POST (a form, JSON, or a mail provider's
  RFC 8058 one-click) revokes. POST is safe cross-site in kind, since it only ever removes
  consent, but the token is still checked: a forged one is 404 and changes nothing.
"""

from __future__ import annotations

import html
from typing import Any

from livecommerce.domains.outreach import consent, links
from livecommerce.domains.outreach.channels import NAMES
from livecommerce.domains.outreach.sending import safe_link
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

CHANNEL_WORDS = {
    "inbox": ("站内消息", "in-site messages"),
    "webpush": ("浏览器推送", "browser notifications"),
    "email": ("邮件", "e-mail"),
    "webhook": ("群机器人消息", "group bot messages"),
    "sms": ("短信", "text messages"),
    "sandbox": ("沙盒通道", "the sandbox channel"),
}


async def follow(token: str) -> str:
    """Where the tracked link leads (recording the first click)."""
    delivery_id = links.read_track_token(token)
    if delivery_id is None:
        return "/"
    async with db.transaction() as tx:
        link = await tx.conn.fetchval(
            "WITH d AS (UPDATE outreach_deliveries SET clicked_at = coalesce(clicked_at, now()),"
            " opened_at = coalesce(opened_at, now()) WHERE id = $1 RETURNING message_id)"
            " SELECT m.link FROM outreach_messages m JOIN d ON d.message_id = m.id",
            delivery_id,
        )
    return safe_link(link or "/")


def invalid_link() -> DomainError:
    return DomainError(ErrorCode.OUTREACH_LINK_INVALID, detail="this link is not one of ours")


def read(token: str) -> tuple[int, str, int | None]:
    found = links.read_unsubscribe_token(token)
    if found is None or found[1] not in NAMES:
        raise invalid_link()
    return found


async def host_name(host_id: int | None) -> str:
    if not host_id:
        return ""
    async with db.connection() as conn:
        name = await conn.fetchval(
            "SELECT coalesce(nullif(display_name, ''), username) FROM users WHERE id = $1",
            host_id,
        )
    return str(name or "")


async def unsubscribe(token: str, scope: str) -> dict[str, Any]:
    """Revoke what the token names: with scope 'host' (the default when it names a host) only
    that host's messages on that channel; 'all' the whole channel."""
    user_id, channel, host_id = read(token)
    if scope not in ("", "host", "all"):
        raise DomainError(ErrorCode.VALIDATION_ERROR, detail="scope is host or all")
    scope = scope or ("host" if host_id else "all")
    if scope == "host" and not host_id:
        scope = "all"
    async with db.transaction() as tx:
        if scope == "host" and host_id:
            await consent.mute(tx.conn, user_id, channel, host_id)
        else:
            await consent.revoke(tx.conn, user_id, channel)
    return {"channel": channel, "scope": scope, "host_id": host_id if scope == "host" else None}


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title}</title><link rel="stylesheet" href="/static/css/base.css"></head>'
        f'<body><main class="unsubscribe">{body}</main></body></html>'
    )


async def page(token: str) -> str:
    _, channel, host_id = read(token)
    zh, en = CHANNEL_WORDS.get(channel, (channel, channel))
    name = html.escape(await host_name(host_id))
    action = f"/u/{html.escape(token, quote=True)}"
    buttons = []
    if host_id:
        buttons.append(
            f'<button type="submit" name="scope" value="host">不再接收「{name}」的{zh}'
            f"<br><small>Stop {en} from {name}</small></button>"
        )
    buttons.append(
        f'<button type="submit" name="scope" value="all">不再接收任何{zh}'
        f"<br><small>Stop all {en}</small></button>"
    )
    body = (
        f'<h1>退订{zh}</h1><p lang="en">Unsubscribe from {en}</p>'
        f'<form method="post" action="{action}">{"".join(buttons)}</form>'
        '<p><a href="/me/inbox#settings">通知设置 · Notification settings</a></p>'
    )
    return _page("退订 · Unsubscribe", body)


def done_page(channel: str, scope: str, host: str) -> str:
    zh, en = CHANNEL_WORDS.get(channel, (channel, channel))
    name = html.escape(host)
    if scope == "host" and name:
        said = (
            f"<h1>已退订</h1><p>你不会再收到「{name}」的{zh}。</p>"
            f'<p lang="en">You will get no more {en} from {name}.</p>'
        )
    else:
        said = (
            f'<h1>已退订</h1><p>你不会再收到{zh}。</p><p lang="en">You will get no more {en}.</p>'
        )
    return _page("已退订 · Unsubscribed", said + '<p><a href="/">返回首页 · Home</a></p>')
