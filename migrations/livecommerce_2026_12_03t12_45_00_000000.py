"""Outreach: a host's channel URLs are stored sealed (outreach/sealed_urls.py), which makes a
2,000-character URL about 2,800 characters long: the column becomes text (the API still takes
URLs of at most 2,000 characters)."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-03T12:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outreach: host channel URLs sealed (text column)"

SQL = """
ALTER TABLE outreach_host_channels ALTER COLUMN url TYPE text;
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
