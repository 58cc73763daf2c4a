"""The hosts' CRM tables: staff, tags, notes, follow-up and segments. The schema is the raw SQL of
migrations/livecommerce_2026_12_03t08_40_00_000000.py; these classes are for reading and for
the tests' truncation. Hot paths use hand-written SQL on the transaction's connection."""

from __future__ import annotations

from piccolo.columns import JSONB, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.constraints import Unique
from piccolo.table import Table

from livecommerce.domains.accounts.tables import User


class HostStaff(Table, tablename="host_staff"):
    """A staff account of a host; one host per staff member (user_id unique)."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, index=True, db_column_name="host_id")
    user = ForeignKey(User, null=False, unique=True, db_column_name="user_id")
    added_by = ForeignKey(User, null=True, default=None, db_column_name="added_by_id")
    created_at = Timestamptz(default=TimestamptzNow())


class TagDef(Table, tablename="member_tag_defs"):
    """A host's manual tag: a name and a colour staff put on members by hand."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    name = Varchar(length=24)
    colour = Varchar(length=7, default="#888888")
    created_by = ForeignKey(User, null=True, default=None, db_column_name="created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())

    one_name = Unique(["host_id", "name"])


class MemberTag(Table, tablename="member_tags"):
    """A tag on a (host, user): a rule's (`code` like `rfm:vip`, with evidence and an expiry,
    rewritten by every recompute) or a manual one (`manual:{tag_def_id}`)."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    kind = Varchar(length=8)
    code = Varchar(length=48)
    tag_def = ForeignKey(TagDef, null=True, default=None, db_column_name="tag_def_id")
    evidence = JSONB(default="{}")
    expires_at = Timestamptz(null=True, default=None)
    added_by = ForeignKey(User, null=True, default=None, db_column_name="added_by_id")
    computed_at = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())

    once = Unique(["host_id", "user_id", "code"])


class TagRules(Table, tablename="member_tag_rules"):
    """A host's thresholds for the rule tags (tag_rules.py TagRuleConfig); none: the defaults."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, unique=True, db_column_name="host_id")
    config = JSONB()
    updated_at = Timestamptz(default=TimestamptzNow())


class MemberNote(Table, tablename="member_notes"):
    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    author = ForeignKey(User, null=True, default=None, db_column_name="author_id")
    body = Varchar(length=2000)
    created_at = Timestamptz(default=TimestamptzNow())


class FollowUp(Table, tablename="member_followups"):
    """The current follow-up status of a (host, user), one row each; absent reads as `todo`."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    status = Varchar(length=16, default="todo")
    updated_by = ForeignKey(User, null=True, default=None, db_column_name="updated_by_id")
    updated_at = Timestamptz(default=TimestamptzNow())


class FollowUpChange(Table, tablename="member_followup_history"):
    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    user = ForeignKey(User, null=False, db_column_name="user_id")
    from_status = Varchar(length=16)
    to_status = Varchar(length=16)
    actor = ForeignKey(User, null=True, default=None, db_column_name="actor_id")
    created_at = Timestamptz(default=TimestamptzNow())


class Segment(Table, tablename="member_segments"):
    """A saved filter over a host's members (segment_filters.py SegmentFilters as JSON)."""

    id = Serial(primary_key=True)
    host = ForeignKey(User, null=False, db_column_name="host_id")
    name = Varchar(length=40)
    filters = JSONB()
    created_by = ForeignKey(User, null=True, default=None, db_column_name="created_by_id")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())

    one_name = Unique(["host_id", "name"])


TABLES = (HostStaff, TagDef, MemberTag, TagRules, MemberNote, FollowUp, FollowUpChange, Segment)
