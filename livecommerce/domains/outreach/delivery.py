"""Sending one delivery, just in time: claim it, apply the restraint rules, send, record.

The job may run twice, late, or concurrently with itself and with the sweeper: the claim is a
conditional UPDATE ('pending'/'deferred' and due → 'sending'), so one run sends and the others
find nothing to do. Everything decided about a delivery is decided in the claim's transaction:

1. the channel must still be registered, else skipped `no_channel`;
2. the journey's re-check (OutreachHooks.rechecks): still true? else `no_longer_true`;
3. the user's mute of this host on this channel (an unsubscribe link) → `unsubscribed`; the
   consent the delivery was made under still held → else `no_consent` (a standing opt-in
   switched off, a one-time consent revoked after the message was made);
4. the push channels only (everything but the inbox, which is the user's own page and pushes
   nothing to their phone): quiet hours in the user's zone → 'deferred' to their end (the job
   is enqueued again for then; the cap is judged when it is sent, not now), then the frequency
   cap per user and channel → skipped `cap`: one per OUTREACH_CAP_HOURS, counted over what
   this user got on this channel ('sending', 'sent', 'delivered' with sent_at in the window).
   Skipped rather than deferred: every journey is about now (a session that started, a coupon
   for this week), and a queue of held messages would all arrive the moment the cap lifts;
5. the host's daily cap (OUTREACH_HOST_DAILY_CAP messages per business day, every channel;
   a message counts once, by its first delivery sent) → skipped `host_cap`.

Bursts: the cap is counted under a transaction-scoped advisory lock per (user, channel), taken
after the claim, and the host's count under one per host, taken after that (always in this
order, so two claims never wait on each other in a cycle). Two deliveries of one user and
channel are decided one after the other, and the second sees the first's sent_at.

Sending happens after that transaction commits (a channel may take seconds on the network),
with the delivery 'sending'; the result is recorded in a second one ('delivered', 'sent' or
'failed'). A process killed in between leaves it 'sending': the sweeper fails it after ten
minutes rather than send it again (at most once: a duplicate is worse than a lost reminder).
A one-time consent the delivery used is given back when it is not sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime

import structlog
from asyncpg import Connection, Record

from livecommerce.domains.outreach import config, inbox_push, links, quiet, sending
from livecommerce.domains.outreach.channels import REGISTRY, Outgoing, SendResult
from livecommerce.domains.outreach.hooks import Recheck
from livecommerce.domains.outreach.templates import render
from livecommerce.infra import db, queue

log = structlog.get_logger("outreach.delivery")

SEND_TIMEOUT = 60.0
CLAIM = (
    "UPDATE outreach_deliveries SET status = 'sending', attempts = attempts + 1"
    " WHERE id = $1 AND status IN ('pending', 'deferred') AND due_at <= now() RETURNING *"
)


def restrained(channel: str) -> bool:
    """Quiet hours and the frequency cap hold for every channel that reaches out: all but the
    inbox."""
    return channel != "inbox"


async def deliver(
    delivery_id: int, rechecks: Mapping[str, Recheck], *, now: datetime | None = None
) -> str:
    """What became of it: 'delivered', 'sent', 'failed', 'deferred', 'skipped:<reason>', or ''
    when there was nothing to do (already claimed, done, or not due yet)."""
    now = now or datetime.now(UTC)
    async with db.transaction() as tx:
        d = await tx.conn.fetchrow(CLAIM, delivery_id)
        if d is None:
            return ""
        message = await tx.conn.fetchrow(
            "SELECT * FROM outreach_messages WHERE id = $1", d["message_id"]
        )
        person = await _person(tx.conn, d["user_id"])
        outcome = await _decide(tx.conn, d, message, person, rechecks, now)
        if outcome.startswith(("skipped", "deferred")):
            if outcome == "deferred":
                until = await tx.conn.fetchval(
                    "SELECT due_at FROM outreach_deliveries WHERE id = $1", delivery_id
                )

                async def again() -> None:
                    await queue.enqueue(
                        sending.DELIVER_JOB,
                        delivery_id,
                        job_id=sending.job_id(delivery_id, str(int(until.timestamp()))),
                        defer_until=until,
                    )

                tx.after_commit(again)
            return outcome
        await tx.conn.execute(
            "UPDATE outreach_deliveries SET sent_at = now() WHERE id = $1", delivery_id
        )
    result = await _send(d, message, person)
    async with db.transaction() as tx:
        status = "delivered" if result.delivered else ("failed" if result.error else "sent")
        done = await tx.conn.fetchval(
            "UPDATE outreach_deliveries SET status = $2::text, error = $3,"
            " delivered_at = CASE WHEN $2::text = 'delivered' THEN now() END"
            " WHERE id = $1 AND status = 'sending' RETURNING id",
            delivery_id,
            status,
            result.error[:300],
        )
        if done is None:  # the sweeper gave up on it meanwhile: what it recorded stands
            return ""
        if status == "failed" and d["consent"] == "once":
            await sending.give_back_once(tx.conn, d["user_id"], d["channel"], d["created_at"])
        if d["channel"] == "inbox" and status != "failed":
            tx.after_commit(lambda: inbox_push.announce(d["user_id"], delivery_id))
    if status == "failed":
        log.warning(
            "outreach_send_failed",
            delivery_id=delivery_id,
            channel=d["channel"],
            error=result.error[:200],
        )
    return status


async def _person(conn: Connection, user_id: int) -> Record:
    return await conn.fetchrow(
        "SELECT u.id, coalesce(nullif(u.display_name, ''), u.username) AS name,"
        " coalesce(p.lang, '') AS lang, coalesce(p.time_zone, '') AS time_zone,"
        " coalesce(p.quiet_hours, '') AS quiet_hours, coalesce(p.email, '') AS email"
        " FROM users u LEFT JOIN outreach_preferences p ON p.user_id = u.id WHERE u.id = $1",
        user_id,
    )


async def _decide(
    conn: Connection,
    d: Record,
    message: Record,
    person: Record,
    rechecks: Mapping[str, Recheck],
    now: datetime,
) -> str:
    """'' to send now, else what the delivery became (already written)."""
    reason = await _reason_not_to_send(conn, d, message, rechecks)
    if reason is None and restrained(d["channel"]):
        cfg = config.current()
        window = person["quiet_hours"] or cfg.quiet_hours
        until = quiet.quiet_until(
            now,
            "" if window == "off" else window,
            quiet.zone(person["time_zone"], cfg.default_zone),
        )
        if until is not None:
            await conn.execute(
                "UPDATE outreach_deliveries SET status = 'deferred', due_at = $2 WHERE id = $1",
                d["id"],
                until,
            )
            return "deferred"
        reason = await _over_cap(conn, d, cfg.cap_hours)
    if reason is None:
        reason = await _over_host_cap(conn, d)
    if reason is None:
        return ""
    await conn.execute(
        "UPDATE outreach_deliveries SET status = 'skipped', skip_reason = $2 WHERE id = $1",
        d["id"],
        reason,
    )
    if d["consent"] == "once":
        await sending.give_back_once(conn, d["user_id"], d["channel"], d["created_at"])
    return f"skipped:{reason}"


async def _reason_not_to_send(
    conn: Connection, d: Record, message: Record, rechecks: Mapping[str, Recheck]
) -> str | None:
    if REGISTRY.get(d["channel"]) is None:
        return "no_channel"
    check = rechecks.get(message["journey"])
    if check is not None and not await check(conn, message):
        return "no_longer_true"
    rows = await conn.fetch(
        "SELECT host_id, standing, muted, revoked_at FROM outreach_consents"
        " WHERE user_id = $1 AND channel = $2 AND host_id IN (0, $3)",
        d["user_id"],
        d["channel"],
        d["host_id"] or 0,
    )
    own = next((r for r in rows if r["host_id"] == 0), None)
    if any(r["muted"] for r in rows):
        return "unsubscribed"
    if d["consent"] == "standing" and (own is None or not own["standing"]):
        return "no_consent"
    revoked = own["revoked_at"] if own is not None else None
    if d["consent"] == "once" and revoked is not None and revoked > d["created_at"]:
        return "no_consent"
    return None


async def _over_cap(conn: Connection, d: Record, cap_hours: float) -> str | None:
    if cap_hours <= 0:
        return None
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtext('outreach-cap:' || $2::text), $1)",
        d["user_id"],
        d["channel"],
    )
    recent = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM outreach_deliveries WHERE user_id = $1 AND channel = $2"
        " AND status IN ('sending', 'sent', 'delivered')"
        " AND sent_at > now() - make_interval(secs => $3) AND id <> $4)",
        d["user_id"],
        d["channel"],
        cap_hours * 3600.0,
        d["id"],
    )
    return "cap" if recent else None


async def _over_host_cap(conn: Connection, d: Record) -> str | None:
    cfg = config.current()
    if not d["host_id"] or cfg.host_daily_cap <= 0:
        return None
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('outreach-host'), $1)", d["host_id"])
    counted = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM outreach_deliveries WHERE message_id = $1"
        " AND status IN ('sending', 'sent', 'delivered') AND id <> $2)",
        d["message_id"],
        d["id"],
    )
    if counted:
        return None
    today = await conn.fetchval(
        "SELECT count(DISTINCT message_id) FROM outreach_deliveries"
        " WHERE host_id = $1 AND status IN ('sending', 'sent', 'delivered')"
        " AND sent_at >= (date_trunc('day', now() AT TIME ZONE $2) AT TIME ZONE $2)",
        d["host_id"],
        cfg.default_zone,
    )
    return "host_cap" if today >= cfg.host_daily_cap else None


async def _send(d: Record, message: Record, person: Record) -> SendResult:
    channel = REGISTRY.get(d["channel"])
    if channel is None:
        return SendResult(False, "channel not configured")
    cfg = config.current()
    text = render(message["template"], person["lang"], person["name"], _context(message))
    out = Outgoing(
        delivery_id=d["id"],
        user_id=d["user_id"],
        host_id=d["host_id"],
        channel=d["channel"],
        title=text.title,
        body=text.body,
        url=links.track_url(cfg.base_url, d["id"]),
        unsubscribe_url=links.unsubscribe_url(
            cfg.base_url, d["user_id"], d["channel"], d["host_id"]
        ),
        lang=person["lang"] or "zh-CN",
    )
    try:
        return await asyncio.wait_for(channel.send(out), SEND_TIMEOUT)
    except Exception as exc:  # a channel's bug or timeout fails this delivery, not the job
        return SendResult(False, f"{type(exc).__name__}: {exc}"[:300])


def _context(message: Record) -> dict[str, object]:
    import json

    value = message["context"]
    return json.loads(value) if isinstance(value, str) else dict(value or {})


async def due(limit: int = 1000) -> list[int]:
    """Deliveries due and not claimed that their job should have taken by now (lost jobs)."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id FROM outreach_deliveries WHERE status IN ('pending', 'deferred')"
            " AND due_at <= now() - interval '30 seconds' ORDER BY due_at LIMIT $1",
            limit,
        )
    return [r["id"] for r in rows]


async def fail_interrupted() -> int:
    """'sending' for ten minutes: the process died mid-send. Failed, never sent twice."""
    async with db.transaction() as tx:
        rows = await tx.conn.fetch(
            "UPDATE outreach_deliveries SET status = 'failed', error = 'interrupted'"
            " WHERE status = 'sending' AND sent_at < now() - interval '10 minutes'"
            " RETURNING user_id, channel, consent, created_at"
        )
        for row in rows:
            if row["consent"] == "once":
                await sending.give_back_once(
                    tx.conn, row["user_id"], row["channel"], row["created_at"]
                )
    return len(rows)
