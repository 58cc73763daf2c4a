"""The hand-written SQL migrations' one step: their SQL, several statements in one go."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


def raw_sql(migration_id: str, description: str, sql: str) -> MigrationManager:
    """A migration that runs `sql` as it is: several statements (with $$ bodies) in one go need
    the simple query protocol, asyncpg's execute() without arguments, on the migration's own
    transaction if any (so it rolls back with the others)."""
    manager = MigrationManager(
        migration_id=migration_id, app_name="livecommerce", description=description
    )

    async def run() -> None:
        engine = engine_finder()
        if engine is None:
            raise RuntimeError("no Piccolo engine to migrate with")
        current = engine.current_transaction.get()
        if current is not None:
            await current.connection.execute(sql)
            return
        conn = await engine.get_new_connection()  # type: ignore[attr-defined]  # PostgresEngine
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    manager.add_raw(run)
    return manager
