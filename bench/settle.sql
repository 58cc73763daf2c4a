-- The limit of bench/settle.py: one chunk of due commissions settled per transaction, as ONE
-- statement (no client round trips): flip due -> settled, one ledger transaction per distributor,
-- wallet balances, two entries each. Variables: :chunk, :clearing (the clearing account id).
WITH picked AS (
  SELECT id FROM commissions WHERE status = 'due' ORDER BY id LIMIT :chunk FOR UPDATE SKIP LOCKED
), settled AS (
  UPDATE commissions c SET status = 'settled', settled_at = now() FROM picked WHERE c.id = picked.id
  RETURNING c.id, c.distributor_id, c.amount - c.reversed_amount AS net
), per AS (
  SELECT distributor_id, min(id) AS first_id, sum(net)::bigint AS net FROM settled GROUP BY distributor_id HAVING sum(net) > 0
), txns AS (
  INSERT INTO ledger_transactions (business_key, kind, created_at)
  SELECT 'pgbench-settle:' || distributor_id || ':' || first_id, 'commission', now() FROM per
  RETURNING id, business_key
), joined AS (
  SELECT t.id AS txn_id, p.net, w.id AS wallet_id FROM txns t
  JOIN per p ON t.business_key = 'pgbench-settle:' || p.distributor_id || ':' || p.first_id
  JOIN accounts w ON w.user_id = p.distributor_id AND w.kind = 'wallet'
), wallets AS (
  UPDATE accounts a SET balance = a.balance + j.net FROM joined j WHERE a.id = j.wallet_id RETURNING a.id, a.balance
)
INSERT INTO ledger_entries (txn_id, account_id, amount, balance_after, created_at)
SELECT j.txn_id, j.wallet_id, j.net, w.balance, now() FROM joined j JOIN wallets w ON w.id = j.wallet_id
UNION ALL
SELECT j.txn_id, :clearing, -j.net, NULL, now() FROM joined j;
