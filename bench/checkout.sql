-- pgbench custom script: the SQL of one checkout (place_order + start_payment with the wallet),
-- as our services send it, in ONE transaction per checkout (ours uses two). The physical limit
-- of the bench: PostgreSQL alone, no HTTP, no Python.
--
--   pgbench -n -M prepared -f bench/checkout.sql -D sku_lo=.. -D sku_hi=.. -D buyer_lo=.. -D buyer_hi=..
--           -D digest=<64 hex> -D body=<a placed order's JSON> -c C -j 1 -T S
--
-- Statements mirror livecommerce/domains/orders/services.py (place_order, _take_stock),
-- orders/idempotency.py (claim, remember), orders/queries.py (order_out), orders/lifecycle.py
-- (start_payment, _order_payment_succeeded), payments/services.py (create_payment, succeed)
-- and ledger/posting.py (account_id, post). Ids come back through \gset as the app reads them.
\set sku random(:sku_lo, :sku_hi)
\set buyer random(:buyer_lo, :buyer_hi)
BEGIN;
-- place_order: idempotency.claim
INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, expires_at)
 VALUES (:buyer, gen_random_uuid()::text, :digest, now(), now() + make_interval(hours => 24))
 ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, response_status = NULL,
   response_body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
   WHERE idempotency_keys.expires_at < now()
 RETURNING id AS idem_id, key AS idem_key \gset
-- _take_stock
UPDATE skus s SET stock = s.stock - 1, sold = s.sold + 1 FROM products p
 WHERE s.id = :sku AND p.id = s.product_id AND p.on_shelf AND s.stock >= 1
 RETURNING s.id AS sku_id, s.name AS sku_name, s.price AS price, p.id AS product_id, p.title AS title, p.host_id AS host_id \gset
-- the order and its items
INSERT INTO orders (buyer_id, host_id, status, total_amount, discount_amount, pay_amount, refunded_amount,
   room_id, session_id, coupon_id, address, note, payment_deadline, created_at)
 VALUES (:buyer, :host_id, 'pending_payment', :price, 0, :price, 0, NULL, NULL, NULL, NULL, '', now() + interval '15 minutes', now())
 RETURNING id AS order_id, status AS order_status \gset
INSERT INTO order_items (order_id, product_id, sku_id, title, sku_name, unit_price, quantity, amount, discount, paid_amount, refunded_amount)
 SELECT :order_id, u.product_id, u.sku_id, u.title, u.sku_name, u.unit_price, u.quantity, u.amount, 0, u.amount, 0
 FROM unnest(ARRAY[:product_id]::int[], ARRAY[:sku_id]::int[], ARRAY[:title]::text[], ARRAY[:sku_name]::text[],
             ARRAY[:price]::bigint[], ARRAY[1]::int[], ARRAY[:price]::bigint[])
   AS u(product_id, sku_id, title, sku_name, unit_price, quantity, amount)
 RETURNING *;
-- order_out
SELECT * FROM orders WHERE id = :order_id;
SELECT * FROM order_items WHERE order_id = ANY(ARRAY[:order_id]::int[]) ORDER BY id;
SELECT * FROM refunds WHERE order_id = ANY(ARRAY[:order_id]::int[]) ORDER BY id;
-- idempotency.remember
UPDATE idempotency_keys SET response_status = 201, response_body = :body WHERE user_id = :buyer AND key = :idem_key;
-- start_payment: lock_order, create_payment, succeed
SELECT * FROM orders WHERE id = :order_id FOR UPDATE;
INSERT INTO payments (user_id, order_id, purpose, provider, amount, status, refunded_amount, created_at)
 VALUES (:buyer, :order_id, 'order', 'wallet', :price, 'pending', 0, now())
 RETURNING id AS payment_id, amount AS payment_amount \gset
UPDATE payments SET status = 'succeeded', provider_ref = 'wallet_' || :payment_id, paid_at = now()
 WHERE id = :payment_id AND status IN ('pending', 'closed') RETURNING *;
-- _order_payment_succeeded
SELECT * FROM orders WHERE id = :order_id;
SELECT id AS escrow_id FROM accounts WHERE user_id IS NOT DISTINCT FROM :host_id AND kind = 'escrow' \gset
SELECT id AS wallet_id FROM accounts WHERE user_id IS NOT DISTINCT FROM :buyer AND kind = 'wallet' \gset
-- ledger.post: the transaction, then balances in ascending account id order, then the entries
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
-- start_payment: the payment's status and order_out
SELECT status FROM payments WHERE id = :payment_id;
SELECT * FROM orders WHERE id = :order_id;
SELECT * FROM order_items WHERE order_id = ANY(ARRAY[:order_id]::int[]) ORDER BY id;
SELECT * FROM refunds WHERE order_id = ANY(ARRAY[:order_id]::int[]) ORDER BY id;
COMMIT;
