"""Distribution guards the schema can't declare: append-only history (bindings, clicks, the
settings audit), the settle job's partial index, and lookups of a buyer's latest binding."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

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
