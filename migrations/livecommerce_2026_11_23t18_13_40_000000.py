"""Distribution guards the schema can't declare: append-only history (bindings, clicks, the
settings audit), the settle job's partial index, and lookups of a buyer's latest binding."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-11-23T18:13:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "distribution guards and indexes"

SQL = """
CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'history rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER referral_bindings_append_only BEFORE UPDATE OR DELETE ON referral_bindings
  FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER share_clicks_append_only BEFORE UPDATE OR DELETE ON share_clicks
  FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER settings_audit_append_only BEFORE UPDATE OR DELETE ON settings_audit
  FOR EACH ROW EXECUTE FUNCTION history_append_only();

CREATE INDEX referral_bindings_latest ON referral_bindings (buyer_id, id DESC);
CREATE INDEX commissions_due ON commissions (id) WHERE status = 'due';
CREATE INDEX commissions_of_distributor ON commissions (distributor_id, id DESC);
CREATE INDEX withdrawals_of_user ON withdrawals (user_id, id DESC);
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
