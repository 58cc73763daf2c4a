"""One live session per room at a time, and the sweeper's index of live sessions."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T18:11:36:000000"
VERSION = "1.38.0"
DESCRIPTION = "live: one live session per room"

SQL = """
CREATE UNIQUE INDEX live_sessions_one_live_per_room ON live_sessions (room_id) WHERE status = 'live';
CREATE INDEX live_sessions_by_status ON live_sessions (status, scheduled_at);
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="livecommerce", description=DESCRIPTION)

    async def run():
        # Several statements (with $$ bodies) in one go needs the simple query protocol:
        # asyncpg's execute() without arguments, on the migration's own transaction if any.
        engine = engine_finder()
        current = engine.current_transaction.get()
        if current is not None:
            await current.connection.execute(SQL)
            return
        conn = await engine.get_new_connection()
        try:
            await conn.execute(SQL)
        finally:
            await conn.close()

    manager.add_raw(run)
    return manager
