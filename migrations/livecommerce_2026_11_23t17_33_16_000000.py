"""Guards the schema can't declare: an append-only ledger whose transactions sum to zero,
one open refund per order, the sweepers' partial indexes, and the platform's accounts."""

from livecommerce.infra.sql_migrations import raw_sql

ID = "2026-11-23T17:33:16:000000"
VERSION = "1.38.0"
DESCRIPTION = "ledger guards, partial indexes, platform accounts"

SQL = """
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

-- Checked at commit, when every entry of the transaction is in.
CREATE FUNCTION ledger_txn_sums_to_zero() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE total bigint;
BEGIN
  SELECT COALESCE(SUM(amount), 0) INTO total FROM ledger_entries WHERE txn_id = NEW.txn_id;
  IF total <> 0 THEN
    RAISE EXCEPTION 'ledger transaction % sums to % instead of 0', NEW.txn_id, total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_sum_to_zero AFTER INSERT ON ledger_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_txn_sums_to_zero();

CREATE UNIQUE INDEX refunds_one_open_per_order ON refunds (order_id) WHERE status = 'requested';
CREATE INDEX orders_pending_by_deadline ON orders (payment_deadline) WHERE status = 'pending_payment';
CREATE INDEX orders_shipped_by_time ON orders (shipped_at) WHERE status = 'shipped';
CREATE INDEX orders_received_by_window ON orders (after_sales_until) WHERE status = 'received';
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);
CREATE INDEX ledger_entries_statement ON ledger_entries (account_id, id DESC);
CREATE INDEX payments_pending ON payments (created_at) WHERE status = 'pending';

INSERT INTO accounts (user_id, kind, balance, allow_negative, derived_balance, created_at) VALUES
  (NULL, 'gateway', 0, true, true, now()),
  (NULL, 'revenue', 0, true, true, now());
"""


async def forwards():
    return raw_sql(ID, DESCRIPTION, SQL)
