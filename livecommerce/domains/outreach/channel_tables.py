"""The channels' tables (the schema is the raw SQL of migration 2026-12-03T09:10; these classes
are for reading and for the tests' truncation): the site's VAPID key pair, the buyers' Web Push
subscriptions, and the hosts' bot and SMS gateway URLs."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User


class OutreachKey(Table, tablename="outreach_keys"):
    """A key pair made once for the whole site (`vapid`): every process reads the same row."""

    name = Varchar(length=16, primary_key=True)
    private_key = Varchar(length=64)  # base64url of the raw 32-byte P-256 scalar
    public_key = Varchar(length=128)  # base64url of the uncompressed point (applicationServerKey)
    created_at = Timestamptz(default=TimestamptzNow())


class PushSubscription(Table, tablename="outreach_push_subscriptions"):
    id = Serial(primary_key=True)
    user = ForeignKey(User, null=False, index=True, db_column_name="user_id")
    endpoint = Varchar(length=1024, unique=True)
    p256dh = Varchar(length=100)
    auth = Varchar(length=32)
    user_agent = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_sent_at = Timestamptz(null=True, default=None)


class HostChannel(Table, tablename="outreach_host_channels"):
    """One of a host's apprise URLs: an IM group bot ('webhook') or the SMS gateway ('sms', a
    template with `{phone}`). The URL holds secrets: stored sealed (outreach/sealed_urls.py,
    migration 2026-12-03T12:45), answered masked."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    kind = Varchar(length=8)
    label = Varchar(length=40, default="")
    url = Text()
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = (OutreachKey, PushSubscription, HostChannel)
