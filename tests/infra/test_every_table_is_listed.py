"""Every table the migrations make is in domains/tables.py ALL_TABLES: the tests' cleanup
(tests/conftest.py) empties exactly those, with triggers and foreign-key cascades off, so a table
left out would keep one test's rows into the next."""

from __future__ import annotations

from livecommerce.domains.tables import ALL_TABLES
from livecommerce.infra import db


async def test_every_table_of_the_schema_is_in_all_tables(migrated) -> None:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
        )
    in_schema = {row["relname"] for row in rows} - {"migration"}
    listed = {table._meta.tablename for table in ALL_TABLES}
    assert in_schema - listed == set()
