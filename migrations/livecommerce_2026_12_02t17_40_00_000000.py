"""The operator console's people: platform bans and partner suspensions on `users`, and the
reason an operator gives a rejected role application.

A ban is `banned_at` (kept after it is lifted: tokens issued before it stay dead) and
`banned_until` (null: until lifted; an unban sets it to the moment it was lifted);
`ban_changed_at` orders the mirror of a user's ban in Redis (infra/bans.py). `suspended_roles`
names the partner roles (host, distributor) an operator has suspended."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-02T17:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "accounts: platform bans, partner suspensions, role application decision reason"

SQL = """
ALTER TABLE users ADD COLUMN IF NOT EXISTS banned_at timestamptz NULL;
ALTER TABLE users ADD COLUMN IF NOT EXISTS banned_until timestamptz NULL;
ALTER TABLE users ADD COLUMN IF NOT EXISTS ban_changed_at timestamptz NULL;
ALTER TABLE users ADD COLUMN IF NOT EXISTS suspended_roles varchar(16)[] NOT NULL DEFAULT '{}';
CREATE INDEX IF NOT EXISTS users_banned ON users (banned_at) WHERE banned_at IS NOT NULL;
ALTER TABLE role_applications ADD COLUMN IF NOT EXISTS decision_reason text NOT NULL DEFAULT '';
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
