"""`reach`: say something to one buyer, once, on every channel they may get it on.

Called by the journeys (and a host's broadcast) inside their own transaction. The message is
unique per (user, journey, period), so a journey run twice, late or concurrently says it once:
the second INSERT waits for the first and finds it (ON CONFLICT DO NOTHING). Each channel the
user may get it on gets one delivery; the delivery job (outreach/delivery.py) applies the
restraint rules just before sending.

Which channels (decided here, at the moment the message is made):
- 'inbox' always: it is the user's own page, nothing reaches them unless they open it, so it
  needs no consent (a mute of this host, written by an unsubscribe link, still holds);
- every channel the user opted in to (standing consent, `outreach_consents` host 0);
- failing that, a channel they hold a one-time consent for: it is used up by this message (a
  conditional UPDATE, so concurrent messages cannot share one), like a mini-program
  subscription; if the delivery is then not sent (skipped, failed), it is given back;
- 'sandbox' when registered (dev and test, OUTREACH_SANDBOX).
A channel without consent gets no delivery row at all (not a 'skipped' one): a message made
for a million members writes the rows it may send, not five times that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from asyncpg import Connection

from livecommerce.domains.outreach.channels import CONSENT_FREE, REGISTRY
from livecommerce.infra import queue
from livecommerce.infra.db import Tx

JOURNEYS = ("reminder", "repurchase", "viewed_not_bought", "member_day", "tier_change", "broadcast")
DELIVER_JOB = "deliver_outreach"


@dataclass(frozen=True)
class Reach:
    user_id: int
    host_id: int | None
    journey: str
    period: str  # the idempotency period: 'session:12', '2026-12', 'product:5:2026-12'
    template: str  # a key of outreach/templates.py TEMPLATES
    context: dict[str, Any] = field(default_factory=dict)
    link: str = "/"  # a path of this site the message leads to, e.g. '/rooms/12'
    campaign_id: int | None = None


def safe_link(link: str) -> str:
    """A path of this site, or '/': never another site (the tracked link redirects to it)."""
    if not link.startswith("/") or link.startswith("//") or "\\" in link or len(link) > 512:
        return "/"
    if any(ord(c) < 0x21 for c in link):
        return "/"
    return link


async def reach(tx: Tx, r: Reach) -> int | None:
    """The message id, or None if this (user, journey, period) was already said."""
    if r.journey not in JOURNEYS:
        raise ValueError(f"unknown journey {r.journey!r}")
    conn = tx.conn
    message_id = await conn.fetchval(
        "INSERT INTO outreach_messages"
        " (user_id, host_id, journey, period, template, context, link, campaign_id)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)"
        " ON CONFLICT (user_id, journey, period) DO NOTHING RETURNING id",
        r.user_id,
        r.host_id,
        r.journey,
        r.period[:64],
        r.template[:32],
        json.dumps(r.context, ensure_ascii=False, default=str),
        safe_link(r.link),
        r.campaign_id,
    )
    if message_id is None:
        return None
    channels = await _channels_for(conn, r.user_id, r.host_id)
    ids = await conn.fetch(
        "INSERT INTO outreach_deliveries (message_id, user_id, host_id, channel, consent)"
        " SELECT $1, $2, $3, c.channel, c.consent"
        " FROM unnest($4::text[], $5::text[]) AS c (channel, consent) RETURNING id",
        message_id,
        r.user_id,
        r.host_id,
        [c for c, _ in channels],
        [k for _, k in channels],
    )
    delivery_ids = [row["id"] for row in ids]

    async def enqueue() -> None:
        for delivery_id in delivery_ids:
            await queue.enqueue(DELIVER_JOB, delivery_id, job_id=job_id(delivery_id))

    tx.after_commit(enqueue)
    return int(message_id)


def job_id(delivery_id: int, attempt: str = "") -> str:
    return f"outreach:deliver:{delivery_id}{':' + attempt if attempt else ''}"


async def _channels_for(
    conn: Connection, user_id: int, host_id: int | None
) -> list[tuple[str, str]]:
    """(channel, consent) pairs: consent '' (none needed), 'standing' or 'once' (consumed)."""
    names = REGISTRY.names()
    rows = await conn.fetch(
        "SELECT channel, host_id, standing, once_left, muted FROM outreach_consents"
        " WHERE user_id = $1 AND channel = ANY($2::text[]) AND host_id IN (0, $3)",
        user_id,
        list(names),
        host_id or 0,
    )
    muted = {r["channel"] for r in rows if r["muted"]}
    own = {r["channel"]: r for r in rows if r["host_id"] == 0}
    out: list[tuple[str, str]] = []
    for name in names:
        if name in muted:
            continue
        if name in CONSENT_FREE:
            out.append((name, ""))
            continue
        row = own.get(name)
        if row is None or not await _reachable(conn, name, user_id):
            continue
        if row["standing"]:
            out.append((name, "standing"))
        elif row["once_left"] > 0 and await take_once(conn, user_id, name):
            out.append((name, "once"))
    return out


async def _reachable(conn: Connection, name: str, user_id: int) -> bool:
    reachable = getattr(REGISTRY.get(name), "reachable", None)
    return True if reachable is None else bool(await reachable(conn, user_id))


async def take_once(conn: Connection, user_id: int, channel: str) -> bool:
    """Use up one one-time consent; False if none is left (another message took the last)."""
    taken = await conn.fetchval(
        "UPDATE outreach_consents SET once_left = once_left - 1, updated_at = now()"
        " WHERE user_id = $1 AND channel = $2 AND host_id = 0 AND once_left > 0 RETURNING id",
        user_id,
        channel,
    )
    return taken is not None


async def give_back_once(conn: Connection, user_id: int, channel: str, made_at: object) -> None:
    """A delivery (made at `made_at`) that used a one-time consent was not sent: the consent is
    the user's again, unless they revoked the channel since."""
    await conn.execute(
        "UPDATE outreach_consents SET once_left = once_left + 1, updated_at = now()"
        " WHERE user_id = $1 AND channel = $2 AND host_id = 0"
        " AND (revoked_at IS NULL OR revoked_at < $3)",
        user_id,
        channel,
        made_at,
    )
