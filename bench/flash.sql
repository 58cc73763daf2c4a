-- pgbench custom script: the rows one flash-sale checkout must write (the order placed at the
-- flash price holding one unit of the sale, paid from the wallet into the host's escrow bucket
-- of the order), in ONE transaction per checkout (ours uses two) and with no row every client
-- locks: the limit of bench/flash.py, PostgreSQL alone, no HTTP, no Python.
--
--   pgbench -n -M prepared -f bench/flash.sql -D sale=.. -D host_id=.. -D product_id=.. -D sku_id=..
--           -D price=.. -D buyer_lo=.. -D buyer_hi=.. -D digest=<64 hex> -D body=<JSON> -c C -j 1 -T S
--
-- Statements mirror livecommerce/domains/marketing/flash_orders.py (_write), orders/idempotency.py,
-- orders/lifecycle.py (start_payment, order_payment_succeeded), orders/escrow.py and
-- ledger/posting.py. Unit numbers come from a sequence (ours: the Redis gate hands them out).
\set buyer random(:buyer_lo, :buyer_hi)
BEGIN;
INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, expires_at)
 VALUES (:buyer, gen_random_uuid()::text, :digest, now(), now() + make_interval(hours => 24))
 ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, response_status = NULL,
   response_body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
   WHERE idempotency_keys.expires_at < now()
 RETURNING id AS idem_id, key AS idem_key \gset
SELECT pg_advisory_xact_lock(:sale, :buyer);
SELECT count(*) FROM flash_units WHERE sale_id = :sale AND buyer_id = :buyer;
INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount, pay_amount, refunded_amount,
   room_id, session_id, address, note, payment_deadline, points_used, created_at)
 VALUES (:buyer, :host_id, 'pending_payment', :price, 0, :price, 0, NULL, NULL, NULL, '', now() + interval '15 minutes', 0, now())
 RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, unit_price, quantity, amount, discount,
   paid_amount, refunded_amount, image_url, stock_reserved)
 VALUES (:order_id, :product_id, :sku_id, 'Flash sale', 'flash', :price, 1, :price, 0, :price, 0, NULL, true) RETURNING *;
INSERT INTO flash_units (sale_id, unit_no, order_id, buyer_id, created_at)
 SELECT :sale, nextval('bench_flash_unit'), :order_id, :buyer, now();
SELECT * FROM orders WHERE id = :order_id;
SELECT * FROM order_items WHERE order_id = ANY(ARRAY[:order_id]::int[]) ORDER BY id;
UPDATE idempotency_keys SET response_status = 201, response_body = :body WHERE user_id = :buyer AND key = :idem_key;
SELECT * FROM orders WHERE id = :order_id FOR UPDATE;
INSERT INTO payments (user_id, order_id, purpose, provider, amount, status, refunded_amount, created_at)
 VALUES (:buyer, :order_id, 'order', 'wallet', :price, 'pending', 0, now())
 RETURNING id AS payment_id \gset
UPDATE payments SET status = 'succeeded', provider_ref = 'wallet_' || :payment_id, paid_at = now()
 WHERE id = :payment_id AND status IN ('pending', 'closed') RETURNING *;
-- the order's own bucket of the host's escrow (ledger/buckets.py)
SELECT id AS escrow_id FROM accounts WHERE user_id = :host_id
 AND kind = CASE WHEN :order_id % 32 = 0 THEN 'escrow' ELSE 'escrow.' || (:order_id % 32) END \gset
SELECT id AS wallet_id FROM accounts WHERE user_id = :buyer AND kind = 'wallet' \gset
INSERT INTO ledger_transactions (business_key, kind, created_at) VALUES ('payment:' || :payment_id, 'payment', now())
 ON CONFLICT (business_key) DO NOTHING RETURNING id AS txn_id \gset
\set acc1 least(:escrow_id, :wallet_id)
\set acc2 greatest(:escrow_id, :wallet_id)
\set amt1 (case when :acc1 = :wallet_id then -:price else :price end)
\set amt2 (case when :acc2 = :wallet_id then -:price else :price end)
UPDATE accounts SET balance = balance + :amt1
 WHERE id = :acc1 AND NOT derived_balance AND (allow_negative OR balance + :amt1 >= 0) RETURNING balance AS bal1 \gset
UPDATE accounts SET balance = balance + :amt2
 WHERE id = :acc2 AND NOT derived_balance AND (allow_negative OR balance + :amt2 >= 0) RETURNING balance AS bal2 \gset
INSERT INTO ledger_entries (txn_id, account_id, amount, balance_after, created_at) VALUES (:txn_id, :acc1, :amt1, :bal1, now());
INSERT INTO ledger_entries (txn_id, account_id, amount, balance_after, created_at) VALUES (:txn_id, :acc2, :amt2, :bal2, now());
UPDATE orders SET status = 'paid', paid_at = now(), payment_method = 'wallet'
 WHERE id = :order_id AND status = 'pending_payment' AND pay_amount = :price RETURNING *;
SELECT status FROM payments WHERE id = :payment_id;
SELECT * FROM orders WHERE id = :order_id;
SELECT * FROM order_items WHERE order_id = ANY(ARRAY[:order_id]::int[]) ORDER BY id;
COMMIT;
