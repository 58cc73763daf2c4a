"""Promotions: the expiry sweeper's index of red packets not yet refunded."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-11-23T18:18:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "promotions: red packets due for their expiry refund"

SQL = """
CREATE INDEX red_packets_due ON red_packets (expires_at) WHERE refunded_at IS NULL;
CREATE INDEX coupons_dropped_by_room ON coupons (room_id, dropped_at) WHERE dropped_at IS NOT NULL;
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
