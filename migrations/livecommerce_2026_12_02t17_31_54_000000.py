"""The operator audit (table: the migration before): filters' indexes, and append-only."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-12-02T17:31:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "admin: operator_actions indexes, append-only"

SQL = """
CREATE INDEX IF NOT EXISTS operator_actions_actor ON operator_actions (actor_id, id);
CREATE INDEX IF NOT EXISTS operator_actions_action ON operator_actions (action, id);
CREATE INDEX IF NOT EXISTS operator_actions_target ON operator_actions (target_kind, target_id);
CREATE INDEX IF NOT EXISTS operator_actions_created ON operator_actions (created_at);
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;
DROP TRIGGER IF EXISTS operator_actions_append_only ON operator_actions;
CREATE TRIGGER operator_actions_append_only BEFORE UPDATE OR DELETE ON operator_actions
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
