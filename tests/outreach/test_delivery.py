"""The delivery job: claimed once however often it runs, and the restraint rules (consent, the
frequency cap, quiet hours, the host's daily cap) decided just before sending."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from livecommerce.domains.outreach import config, delivery, jobs
from livecommerce.domains.outreach.channels import REGISTRY
from livecommerce.domains.outreach.hooks import OutreachHooks
from livecommerce.domains.outreach.sending import job_id
from livecommerce.infra import db
from tests.outreach.support import (
    broadcast,
    deliveries,
    opt_in,
    put_settings,
    recorders,
    say,
    statuses,
)

__all__ = ["recorders"]  # the fixture


async def test_a_delivery_job_run_twice_or_concurrently_sends_once(
    app, client, user_factory, recorders
):
    buyer = await user_factory("twice")
    await opt_in(client, buyer)
    first = await say(broadcast(buyer.id, None, "p1"))
    ids = await deliveries(first)
    ctx = {"wiring": app.state.wiring}
    assert await jobs.deliver_outreach(ctx, ids["sandbox"]) == "delivered"
    assert await jobs.deliver_outreach(ctx, ids["sandbox"]) == ""  # the second run finds it done
    assert len(recorders["sandbox"].sent) == 1

    # Ten runs of one job at once (a retry racing the sweeper): one claims it.
    second = await say(broadcast(buyer.id, None, "p2"))
    inbox_id = (await deliveries(second))["inbox"]
    outcomes = await asyncio.gather(*(delivery.deliver(inbox_id, {}) for _ in range(10)))
    assert sorted(outcomes) == [""] * 9 + ["delivered"]


async def test_the_cap_holds_under_a_burst_of_50_triggers_through_a_real_worker(
    app, client, user_factory, migrated, recorders
):
    """50 messages of every journey for one buyer at once, their 150 jobs run by a real arq
    worker 20 at a time: exactly one per push channel within the cap, the rest skipped `cap`
    (not deferred: each journey is about now); the inbox, not a push channel, has all 50."""
    from arq.worker import Worker

    from livecommerce.worker.settings import job_context, worker_options

    buyer = await user_factory("burst")
    await opt_in(client, buyer, "email")
    journeys = (
        "reminder",
        "repurchase",
        "viewed_not_bought",
        "member_day",
        "tier_change",
        "broadcast",
    )

    async def trigger(i: int) -> int | None:
        r = broadcast(buyer.id, None, f"burst:{i}")
        return await say(r.__class__(**{**r.__dict__, "journey": journeys[i % 6]}))

    made = await asyncio.gather(*(trigger(i) for i in range(50)))
    assert all(made)
    options = {k: v for k, v in worker_options(migrated).items() if k != "on_shutdown"}
    options.update(cron_jobs=[], burst=True, max_jobs=20)
    start = options["on_startup"]

    async def on_startup(ctx: dict) -> None:
        await start(ctx)
        # The journeys' own re-checks would skip these made-up messages: none here.
        ctx["wiring"] = dataclasses.replace(ctx["wiring"], outreach=OutreachHooks())
        # Its start-up configured outreach from the settings: this test's channels again.
        for recorder in recorders.values():
            REGISTRY.register(recorder)
        config.use(cap_hours=16, quiet_hours="21:00-09:00", host_daily_cap=0)

    options["on_startup"] = on_startup
    worker = Worker(**options, poll_delay=0.05, handle_signals=False, ctx=job_context(migrated))
    try:
        await asyncio.wait_for(worker.main(), 120)
    finally:
        await worker.close()
    for channel in ("sandbox", "email"):
        got = await statuses(buyer.id, channel)
        assert sorted(got).count(("delivered", "")) == 1, (channel, got)
        assert sorted(got).count(("skipped", "cap")) == 49, (channel, got)
        assert len(recorders[channel].sent) == 1
    assert (await statuses(buyer.id, "inbox")).count(("delivered", "")) == 50


async def test_the_cap_holds_when_50_deliveries_are_decided_at_the_same_instant(
    app, client, user_factory, recorders
):
    """The same burst with every job started at once (50 transactions on the pool together):
    the per-(user, channel) lock is what keeps it to one."""
    buyer = await user_factory("instant")
    await opt_in(client, buyer, "email")
    made = await asyncio.gather(*(say(broadcast(buyer.id, None, f"i{i}")) for i in range(50)))
    ids = [await deliveries(m) for m in made]
    start = asyncio.Event()

    async def run(delivery_id: int) -> str:
        await start.wait()
        return await delivery.deliver(delivery_id, {})

    tasks = [asyncio.create_task(run(i[c])) for i in ids for c in ("sandbox", "email")]
    start.set()
    outcomes = await asyncio.gather(*tasks)
    assert sorted(set(outcomes)) == ["delivered", "skipped:cap"]
    assert outcomes.count("delivered") == 2  # one per channel
    assert len(recorders["sandbox"].sent) == len(recorders["email"].sent) == 1


async def test_the_cap_counts_per_channel_and_lifts_after_its_hours(
    app, client, user_factory, recorders
):
    buyer = await user_factory("capped")
    await opt_in(client, buyer)
    one = await deliveries(await say(broadcast(buyer.id, None, "a")))
    two = await deliveries(await say(broadcast(buyer.id, None, "b")))
    assert await delivery.deliver(one["sandbox"], {}) == "delivered"
    assert await delivery.deliver(two["sandbox"], {}) == "skipped:cap"
    # 17 hours later (the first was sent then), a third goes.
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE outreach_deliveries SET sent_at = sent_at - interval '17 hours' WHERE id = $1",
            one["sandbox"],
        )
    three = await deliveries(await say(broadcast(buyer.id, None, "c")))
    assert await delivery.deliver(three["sandbox"], {}) == "delivered"


def _night_zone(now: datetime) -> str:
    """An Etc/ zone where it is now between 02:00 and 06:59 (deep in 21:00-09:00)."""
    for offset in range(-12, 15):
        local = now + timedelta(hours=offset)
        if 2 <= local.hour <= 6:
            return "Etc/GMT" + (f"{-offset:+d}" if offset else "")
    raise AssertionError("some zone is always at night")


async def test_quiet_hours_defer_to_the_morning_of_the_users_zone(
    app, client, user_factory, recorders
):
    buyer = await user_factory("sleeper")
    now = datetime.now(UTC)
    zone = _night_zone(now)
    await put_settings(client, buyer, timeZone=zone)  # quiet hours: the site's, 21:00-09:00
    ids = await deliveries(await say(broadcast(buyer.id, None, "night")))
    assert await delivery.deliver(ids["sandbox"], {}) == "deferred"
    # The inbox is the user's own page: nothing reaches them at night, so it is not held.
    assert await delivery.deliver(ids["inbox"], {}) == "delivered"
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT status, due_at FROM outreach_deliveries WHERE id = $1", ids["sandbox"]
        )
    local = row["due_at"].astimezone(ZoneInfo(zone))
    assert row["status"] == "deferred" and (local.hour, local.minute) == (9, 0)
    assert timedelta(hours=2) < row["due_at"] - now < timedelta(hours=7, minutes=1)
    # Enqueued again for then (the job id names the time, so it is not the first job's).
    queued = job_id(ids["sandbox"], str(int(row["due_at"].timestamp())))
    score = await app.state.redis.zscore("arq:queue", queued)
    assert score is not None and int(score) == int(row["due_at"].timestamp() * 1000)
    # Too early, the job does nothing; in the morning it sends.
    assert await delivery.deliver(ids["sandbox"], {}) == ""
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE outreach_deliveries SET due_at = now() WHERE id = $1", ids["sandbox"]
        )
    morning = row["due_at"] + timedelta(minutes=1)
    assert await delivery.deliver(ids["sandbox"], {}, now=morning) == "delivered"
    assert len(recorders["sandbox"].sent) == 1


async def test_a_user_without_consent_gets_nothing_on_that_channel(
    app, client, user_factory, recorders
):
    buyer = await user_factory("noconsent")
    await opt_in(client, buyer)  # quiet hours off, no channel opted in
    ids = await deliveries(await say(broadcast(buyer.id, None, "n1")))
    assert sorted(ids) == ["inbox", "sandbox"]  # no e-mail delivery is even made
    await opt_in(client, buyer, "email")
    ids = await deliveries(await say(broadcast(buyer.id, None, "n2")))
    assert "email" in ids
    # Switched off before it went: skipped, not sent.
    await put_settings(client, buyer, channels=[{"channel": "email", "standing": False}])
    assert await delivery.deliver(ids["email"], {}) == "skipped:no_consent"
    assert recorders["email"].sent == []


async def test_a_one_time_consent_is_used_up_by_exactly_one_message(
    app, client, user_factory, recorders
):
    buyer = await user_factory("once")
    await opt_in(client, buyer)
    granted = await client.post("/api/me/consents/email/once", headers=buyer.headers)
    assert granted.status_code == 200 and granted.json() == {"channel": "email", "onceLeft": 1}
    made = await asyncio.gather(*(say(broadcast(buyer.id, None, f"o{i}")) for i in range(8)))
    with_email = [m for m in made if "email" in await deliveries(m)]
    assert len(with_email) == 1
    settings = (await client.get("/api/me/notification-settings", headers=buyer.headers)).json()
    assert next(c for c in settings["channels"] if c["channel"] == "email")["onceLeft"] == 0
    email = (await deliveries(with_email[0]))["email"]
    assert await delivery.deliver(email, {}) == "delivered"
    assert len(recorders["email"].sent) == 1

    # A message that used one and was not sent after all gives it back.
    await client.post("/api/me/consents/email/once", headers=buyer.headers)
    held = await deliveries(await say(broadcast(buyer.id, None, "later")))

    async def gone(conn, message) -> bool:
        return False

    assert await delivery.deliver(held["email"], {"broadcast": gone}) == "skipped:no_longer_true"
    settings = (await client.get("/api/me/notification-settings", headers=buyer.headers)).json()
    assert next(c for c in settings["channels"] if c["channel"] == "email")["onceLeft"] == 1


async def test_the_hosts_daily_cap_counts_messages_not_channels(
    app, client, user_factory, recorders
):
    host = await user_factory("loudhost", ["host"])
    config.use(host_daily_cap=2)
    outcomes = []
    for i in range(3):
        buyer = await user_factory(f"member{i}")
        await opt_in(client, buyer)
        ids = await deliveries(await say(broadcast(buyer.id, host.id, "news")))
        outcomes.append(
            (await delivery.deliver(ids["inbox"], {}), await delivery.deliver(ids["sandbox"], {}))
        )
    assert outcomes == [("delivered", "delivered")] * 2 + [("skipped:host_cap", "skipped:host_cap")]


async def test_a_failed_send_is_failed_and_a_lost_job_is_swept(
    app, client, user_factory, recorders
):
    buyer = await user_factory("unlucky")
    await opt_in(client, buyer)
    recorders["sandbox"].fail = "gateway said no"
    ids = await deliveries(await say(broadcast(buyer.id, None, "f")))
    assert await delivery.deliver(ids["sandbox"], {}) == "failed"
    assert await statuses(buyer.id, "sandbox") == [("failed", "")]
    # The inbox job was lost (no worker here): the sweeper enqueues it again once it is overdue.
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE outreach_deliveries SET due_at = now() - interval '5 minutes' WHERE id = $1",
            ids["inbox"],
        )
    assert await jobs.sweep_outreach({}) == 1
    queued = [k.decode() for k in await app.state.redis.zrange("arq:queue", 0, -1)]
    assert any(k.startswith(f"outreach:deliver:{ids['inbox']}:sweep") for k in queued)
