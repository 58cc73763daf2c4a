"""Outreach: a host's channel URLs are stored sealed (outreach/sealed_urls.py), which makes a
2,000-character URL about 2,800 characters long: the column becomes text (the API still takes
URLs of at most 2,000 characters)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T12:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outreach: host channel URLs sealed (text column)"

SQL = """
ALTER TABLE outreach_host_channels ALTER COLUMN url TYPE text;
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="livecommerce", description=DESCRIPTION)

    async def run():
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
