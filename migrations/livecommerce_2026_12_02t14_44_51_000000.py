"""Accounts: at most one default address per user, and a user's book read default first."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-02T14:44:51:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts: one default address per user"

SQL = """
CREATE UNIQUE INDEX IF NOT EXISTS addresses_one_default ON addresses (user_id) WHERE is_default;
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
