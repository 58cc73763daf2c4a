"""One live session per room at a time, and the sweeper's index of live sessions."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-11-23T18:11:36:000000"
VERSION = "1.38.0"
DESCRIPTION = "live: one live session per room"

SQL = """
CREATE UNIQUE INDEX live_sessions_one_live_per_room ON live_sessions (room_id) WHERE status = 'live';
CREATE INDEX live_sessions_by_status ON live_sessions (status, scheduled_at);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
