"""Live rooms: a host's room, its broadcasts (sessions), showcase, moderators and penalties."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    BigInt,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Check, Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.catalog.tables import Product


class Room(Table, tablename="rooms"):
    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, index=True, db_column_name="host_id")
    title = Varchar(length=80)
    description = Text(default="")
    cover_url = Varchar(length=500, default="")
    # The product being explained ("讲解中"); null when nothing is pinned.
    pinned_product = ForeignKey(
        Product, null=True, default=None, db_column_name="pinned_product_id"
    )
    # Seconds a viewer waits between two messages; 0 is off. Hosts and moderators are exempt.
    slow_mode_seconds = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())

    slow_mode_range = Check("slow_mode_seconds >= 0 AND slow_mode_seconds <= 3600")


class LiveSession(Table, tablename="live_sessions"):
    """One broadcast. A room has at most one live session (a partial unique index)."""

    id = Serial(primary_key=True)
    room = ForeignKey(Room, null=False, index=True, db_column_name="room_id")
    title = Varchar(length=80)
    status = Varchar(length=16, default="scheduled")
    scheduled_at = Timestamptz(null=True, default=None)
    started_at = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    hls_url = Varchar(length=500, default="")  # from the media server, not from us
    # The poster of this broadcast (an upload of ours or an https picture); empty: the room's.
    cover_url = Varchar(length=500, default="")
    # The session report, written at the end from the Redis counters (and the floor they
    # are rebuilt from if Redis loses them mid-session).
    peak_online = Integer(default=0)
    unique_viewers = Integer(default=0)
    views = BigInt(default=0)
    likes = BigInt(default=0)
    comments = BigInt(default=0)
    orders = Integer(default=0)
    gmv = BigInt(default=0)
    # Product cards opened in the room (the funnel's second step): opens in all, viewers who
    # opened at least one, and opens per product id ({"12": 40}).
    product_clicks = BigInt(default=0)
    product_visitors = Integer(default=0)
    product_views = JSONB(default="{}")
    figures_saved_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())

    status_known = Check("status IN ('scheduled', 'live', 'ended')")


class SessionReminder(Table, tablename="session_reminders"):
    """A viewer asked to be told when a scheduled session goes live (预约, 开播提醒). Only
    recorded and counted here; the message is sent by the outreach journey. One per session and
    user; calling the session off removes them with it."""

    id = Serial(primary_key=True)
    session = ForeignKey(LiveSession, null=False, db_column_name="session_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    created_at = Timestamptz(default=TimestamptzNow())

    one_per_session_user = Unique(["session_id", "user_id"])


class LiveSessionSample(Table, tablename="live_session_samples"):
    """The session's counters every few seconds (one row per session and 10 s bucket): the
    online curve of the console and of the session report."""

    id = Serial(primary_key=True)
    session = ForeignKey(LiveSession, null=False, db_column_name="session_id")
    at = Timestamptz()
    online = Integer(default=0)
    unique_viewers = Integer(default=0)
    likes = BigInt(default=0)
    comments = BigInt(default=0)
    orders = Integer(default=0)
    gmv = BigInt(default=0)

    one_sample_per_bucket = Unique(["session_id", "at"])


class ShowcaseItem(Table, tablename="room_products"):
    """The room's shopping bag, in the host's order."""

    id = Serial(primary_key=True)
    room = ForeignKey(Room, null=False, index=True, db_column_name="room_id")
    product = ForeignKey(Product, null=False, db_column_name="product_id")
    position = Integer()

    one_product_per_room = Unique(["room_id", "product_id"])


class RoomModerator(Table, tablename="room_moderators"):
    id = Serial(primary_key=True)
    room = ForeignKey(Room, null=False, index=True, db_column_name="room_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    created_at = Timestamptz(default=TimestamptzNow())

    one_moderator_per_room = Unique(["room_id", "user_id"])


class RoomPenalty(Table, tablename="room_penalties"):
    """A mute or a ban, kept as history: lifting sets `lifted_at`, nothing is deleted."""

    id = Serial(primary_key=True)
    room = ForeignKey(Room, null=False, index=True, db_column_name="room_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    kind = Varchar(length=8)
    until = Timestamptz(null=True, default=None)  # null: until lifted
    reason = Text(default="")
    created_by = ForeignKey(User, null=False, db_column_name="created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())
    lifted_at = Timestamptz(null=True, default=None)

    kind_known = Check("kind IN ('mute', 'ban')")
