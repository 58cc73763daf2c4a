"""Outreach tables (the schema is the raw SQL of migration 2026-12-03T09:00; these classes are
for reading and for the tests' truncation).

A message is one thing said to one buyer for one reason (journey, period): unique, so a journey
run twice or late says it once. It goes out as one delivery per channel; the inbox item is the
message's `inbox` delivery (opened_at is "read"). Consent is per user and channel (host 0: every
host), with a mute per host that an unsubscribe link writes."""

from __future__ import annotations

from piccolo.columns import JSONB, Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User


class OutreachMessage(Table, tablename="outreach_messages"):
    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, index=True, db_column_name="user_id")
    host = ForeignKey(User, null=True, db_column_name="host_id")
    journey = Varchar(length=24)
    period = Varchar(length=64)
    template = Varchar(length=32)
    context = JSONB(default="{}")
    link = Varchar(length=512)
    campaign_id = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    once_per_period = Unique(["user_id", "journey", "period"])


class OutreachDelivery(Table, tablename="outreach_deliveries"):
    id = Serial(primary_key=True)
    message = ForeignKey(OutreachMessage, null=False, db_column_name="message_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    host = ForeignKey(User, null=True, db_column_name="host_id")
    channel = Varchar(length=16)
    # pending | deferred | sending | sent | delivered | skipped | failed
    status = Varchar(length=16, default="pending")
    skip_reason = Varchar(length=32, default="")
    # Why it may go: '' (inbox, sandbox: no consent needed), 'standing', 'once' (consumed).
    consent = Varchar(length=8, default="")
    due_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)
    opened_at = Timestamptz(null=True, default=None)
    clicked_at = Timestamptz(null=True, default=None)
    error = Varchar(length=300, default="")
    attempts = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())

    one_per_channel = Unique(["message_id", "channel"])


class OutreachConsent(Table, tablename="outreach_consents"):
    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, db_column_name="user_id")
    channel = Varchar(length=16)
    # 0: the user's own setting for every host; a host id: a mute of that host (unsubscribe).
    host_id = Integer(default=0)
    standing = Boolean(default=False)
    once_left = Integer(default=0)
    muted = Boolean(default=False)
    revoked_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())

    one_per_scope = Unique(["user_id", "channel", "host_id"])


class OutreachPreference(Table, tablename="outreach_preferences"):
    user = ForeignKey(User, primary_key=True, db_column_name="user_id")
    lang = Varchar(length=8, default="")
    time_zone = Varchar(length=64, default="")
    # 'HH:MM-HH:MM'; '' the site's QUIET_HOURS; 'off' none.
    quiet_hours = Varchar(length=11, default="")
    email = Varchar(length=254, default="")
    updated_at = Timestamptz(default=TimestamptzNow())


TABLES = (OutreachMessage, OutreachDelivery, OutreachConsent, OutreachPreference)
