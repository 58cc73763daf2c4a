"""Room follows (关注): a viewer follows a room to hear of it again (outreach reads them)."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Serial, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User
from livecommerce.domains.live.tables import Room


class RoomFollow(Table, tablename="room_follows"):
    id = Serial(primary_key=True)
    room = ForeignKey(Room, null=False, db_column_name="room_id")
    user = ForeignKey(User, null=False, index=True, db_column_name="user_id")
    created_at = Timestamptz(default=TimestamptzNow())

    one_per_user = Unique(["room_id", "user_id"])


TABLES = (RoomFollow,)
