"""The behaviour events table, for truncation in tests and plain reads. Its schema (daily range
partitions, a default partition, the indexes) is the hand-written migration
2026-12-03T08:30:00; writes go through analytics/store.py in batches, never through Piccolo."""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Timestamptz, Varchar
from piccolo.table import Table


class BehaviourEvent(Table, tablename="behaviour_events"):
    """One thing a viewer or buyer did. Append-only and without an id: the table has no primary
    key (a partitioned table's key would have to include occurred_at). occurred_at is declared
    the primary key here only so Piccolo does not invent an `id` column that is not there."""

    occurred_at = Timestamptz(primary_key=True)
    kind = Varchar(length=24)
    user_id = Integer(null=True, default=None)
    guest_id = Varchar(length=40, null=True, default=None)
    host_id = Integer(null=True, default=None)
    room_id = Integer(null=True, default=None)
    session_id = Integer(null=True, default=None)
    product_id = Integer(null=True, default=None)
    distributor_id = Integer(null=True, default=None)
    channel = Varchar(length=16, null=True, default=None)
    device = Varchar(length=16, null=True, default=None)
    order_id = Integer(null=True, default=None)
    amount = BigInt(null=True, default=None)
    watch_seconds = Integer(null=True, default=None)


TABLES = (BehaviourEvent,)
