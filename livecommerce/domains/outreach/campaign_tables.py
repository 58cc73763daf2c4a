"""The campaigns table (a host's one-off messages to a segment). The schema is the raw SQL of
migrations/livecommerce_2026_12_03t09_30_00_000000.py; this class is for reading and for the
tests' truncation."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User


class Campaign(Table, tablename="outreach_campaigns"):
    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    segment_id = Integer(null=True, default=None)
    segment_name = Varchar(length=40)
    title = Varchar(length=40)
    body = Varchar(length=300)
    link_kind = Varchar(length=8)  # 'room' | 'product'
    link_id = Integer()
    link = Varchar(length=64)  # the path the message leads to, e.g. /rooms/12
    status = Varchar(length=8, default="queued")  # queued → sending → sent
    audience = Integer(default=0)  # the segment's members when sending began
    reached = Integer(default=0)  # messages made (a member who had it already is not counted)
    cursor_user_id = Integer(default=0)  # members up to this user id are done
    created_by = ForeignKey(User, null=True, default=None, db_column_name="created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())  # moved by every chunk sent


TABLES = (Campaign,)
