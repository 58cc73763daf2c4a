"""Consent and notification preferences, per user and channel.

- A standing opt-in (`standing`) lets every message through on that channel; off by default
  (opt-in, never opt-out) for every channel that reaches outside the site.
- A one-time consent (`once_left`, like a WeChat mini-program subscription) lets exactly one
  message through: `reach` uses it up with a conditional UPDATE, and gives it back when that
  message is not sent after all. A user holds at most ONCE_LIMIT per channel.
- A mute (`muted` on a row naming a host) stops one host's messages on one channel: what an
  unsubscribe link from that host's message writes. The inbox needs no consent (it is the
  user's own page), but can be turned off and muted like the others.
- Revoking (an unsubscribe link for the whole channel, or switching it off) also drops the
  one-time consents, and a message made before the revocation and not yet sent is skipped.
"""

from __future__ import annotations

import re

from asyncpg import Connection

from livecommerce.domains.outreach import config, quiet
from livecommerce.domains.outreach.channels import CONSENT_FREE, NAMES, REGISTRY
from livecommerce.domains.outreach.schemas import (
    ChangeSettings,
    ChannelSetting,
    MutedHost,
    NotificationSettings,
)
from livecommerce.domains.outreach.templates import LANGS
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

ONCE_LIMIT = 20
_EMAIL = re.compile(r"^[^@\s\x00-\x1f]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")


def _invalid(field: str, detail: str) -> DomainError:
    return DomainError(ErrorCode.NOTIFICATION_SETTINGS_INVALID, detail=detail, field=field)


def unknown_channel(channel: str) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no channel {channel[:16]!r}")


async def read(conn: Connection, user_id: int) -> NotificationSettings:
    cfg = config.current()
    rows = await conn.fetch(
        "SELECT c.channel, c.host_id, c.standing, c.once_left, c.muted,"
        " coalesce(nullif(u.display_name, ''), u.username, '') AS host_name"
        " FROM outreach_consents c LEFT JOIN users u ON u.id = c.host_id"
        " WHERE c.user_id = $1 ORDER BY c.channel, c.host_id",
        user_id,
    )
    own = {r["channel"]: r for r in rows if r["host_id"] == 0}
    channels = []
    for name in NAMES:
        if name == "sandbox" and REGISTRY.get(name) is None:
            continue
        row = own.get(name)
        free = name in CONSENT_FREE
        # The inbox and the sandbox are on unless turned off; the others off unless opted in.
        on_unless_off = row is None or not row["muted"]
        standing = on_unless_off if free else (row is not None and row["standing"])
        channels.append(
            ChannelSetting(
                channel=name,
                available=REGISTRY.get(name) is not None,
                needs_consent=not free,
                standing=standing,
                once_left=0 if row is None or free else row["once_left"],
            )
        )
    prefs = await conn.fetchrow("SELECT * FROM outreach_preferences WHERE user_id = $1", user_id)
    tz = prefs["time_zone"] if prefs else ""
    window = prefs["quiet_hours"] if prefs else ""
    return NotificationSettings(
        channels=channels,
        muted=[
            MutedHost(channel=r["channel"], host_id=r["host_id"], host_name=r["host_name"])
            for r in rows
            if r["host_id"] != 0 and r["muted"]
        ],
        lang=(prefs["lang"] if prefs else "") or "zh-CN",
        time_zone=tz,
        effective_time_zone=tz or cfg.default_zone,
        quiet_hours=window,
        effective_quiet_hours=window or cfg.quiet_hours or "off",
        email=prefs["email"] if prefs else "",
        once_limit=ONCE_LIMIT,
    )


async def settings(user_id: int) -> NotificationSettings:
    async with db.connection() as conn:
        return await read(conn, user_id)


def _check(data: ChangeSettings) -> None:
    for change in data.channels or ():
        if change.channel not in NAMES:
            raise _invalid("channels", f"no channel {change.channel!r}")
    for unmute in data.unmute or ():
        if unmute.channel not in NAMES:
            raise _invalid("unmute", f"no channel {unmute.channel!r}")
    if data.lang not in (None, "", *LANGS):
        raise _invalid("lang", "lang is zh-CN or en")
    if data.time_zone and not quiet.valid_zone(data.time_zone):
        raise _invalid("timeZone", f"no time zone {data.time_zone!r}")
    if data.quiet_hours not in (None, "", "off") and quiet.parse(data.quiet_hours) is None:
        raise _invalid("quietHours", "quiet hours are HH:MM-HH:MM (or '' or 'off')")
    if data.email and not _EMAIL.match(data.email):
        raise _invalid("email", "not an e-mail address")


async def change(user_id: int, data: ChangeSettings) -> NotificationSettings:
    _check(data)
    async with db.transaction() as tx:
        conn = tx.conn
        for item in data.channels or ():
            if item.channel in CONSENT_FREE:
                await _upsert(conn, user_id, item.channel, 0, "muted = $4", not item.standing)
            elif item.standing:
                await _upsert(conn, user_id, item.channel, 0, "standing = true")
            else:
                await revoke(conn, user_id, item.channel)
        for unmute in data.unmute or ():
            await conn.execute(
                "UPDATE outreach_consents SET muted = false, updated_at = now()"
                " WHERE user_id = $1 AND channel = $2 AND host_id = $3",
                user_id,
                unmute.channel,
                unmute.host_id,
            )
        fields = {"lang": data.lang, "time_zone": data.time_zone, "quiet_hours": data.quiet_hours}
        fields["email"] = data.email.strip() if data.email is not None else None
        given = {k: v for k, v in fields.items() if v is not None}
        if given:
            names = list(given)
            await conn.execute(
                f"INSERT INTO outreach_preferences (user_id, {', '.join(names)})"
                f" VALUES ($1, {', '.join(f'${i + 2}' for i in range(len(names)))})"
                " ON CONFLICT (user_id) DO UPDATE SET updated_at = now(), "
                + ", ".join(f"{n} = EXCLUDED.{n}" for n in names),
                user_id,
                *given.values(),
            )
        return await read(conn, user_id)


async def _upsert(
    conn: Connection, user_id: int, channel: str, host_id: int, sets: str, *args: object
) -> None:
    # The INSERT takes the defaults, then the same SET as the UPDATE (one statement: no race).
    await conn.execute(
        "INSERT INTO outreach_consents (user_id, channel, host_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (user_id, channel, host_id) DO NOTHING",
        user_id,
        channel,
        host_id,
    )
    await conn.execute(
        f"UPDATE outreach_consents SET {sets}, updated_at = now()"
        " WHERE user_id = $1 AND channel = $2 AND host_id = $3",
        user_id,
        channel,
        host_id,
        *args,
    )


async def revoke(conn: Connection, user_id: int, channel: str) -> None:
    """The channel is off for every host: no standing opt-in, no one-time consents, and what
    was made before now and not sent is skipped (revoked_at). For the inbox: turned off."""
    if channel in CONSENT_FREE:
        await _upsert(conn, user_id, channel, 0, "muted = true")
        return
    await _upsert(conn, user_id, channel, 0, "standing = false, once_left = 0, revoked_at = now()")


async def mute(conn: Connection, user_id: int, channel: str, host_id: int) -> None:
    await _upsert(conn, user_id, channel, host_id, "muted = true")


async def grant_once(user_id: int, channel: str) -> int:
    """One more one-time consent on `channel`; the number now held. 409 past ONCE_LIMIT."""
    if channel not in NAMES:
        raise unknown_channel(channel)
    if channel in CONSENT_FREE:
        raise _invalid("channel", f"{channel} needs no consent")
    async with db.transaction() as tx:
        await _upsert(tx.conn, user_id, channel, 0, "standing = standing")
        left = await tx.conn.fetchval(
            "UPDATE outreach_consents SET once_left = once_left + 1"
            " WHERE user_id = $1 AND channel = $2 AND host_id = 0 AND once_left < $3"
            " RETURNING once_left",
            user_id,
            channel,
            ONCE_LIMIT,
        )
        if left is None:
            raise DomainError(
                ErrorCode.CONSENT_LIMIT_REACHED,
                detail=f"you hold {ONCE_LIMIT} one-time consents on {channel} already",
                limit=ONCE_LIMIT,
            )
        return int(left)
