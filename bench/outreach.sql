-- The limit of bench/outreach.py: the repurchase sweep's selection as ONE hand-written query,
-- run by psql against the same database. Variables: :'now' (timestamptz), :lead and :grace
-- (days). One row per (buyer, product) whose last purchase's reminder is due, not sent yet.
WITH cycles AS (
  SELECT c.product_id, greatest(coalesce(c.cycle_days, c.learned_days) - :lead, 1) AS after_days
  FROM outreach_product_cycles c
  WHERE coalesce(c.cycle_days, c.learned_days) IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM outreach_journey_settings s
                    WHERE s.host_id = c.host_id AND s.journey = 'repurchase' AND NOT s.enabled)
), span AS (
  SELECT :'now'::timestamptz - (max(after_days) + :grace) * interval '1 day' AS lo,
         :'now'::timestamptz - min(after_days) * interval '1 day' AS hi
  FROM cycles
), bought AS (
  SELECT DISTINCT o.buyer_id, i.product_id, o.id AS order_id, o.paid_at
  FROM span
  JOIN orders o ON o.paid_at > span.lo AND o.paid_at <= span.hi
  JOIN order_items i ON i.order_id = o.id
  JOIN cycles c ON c.product_id = i.product_id
  WHERE o.status IN ('paid', 'shipped', 'received', 'completed', 'refunding')
    AND o.paid_at > :'now'::timestamptz - (c.after_days + :grace) * interval '1 day'
    AND o.paid_at <= :'now'::timestamptz - c.after_days * interval '1 day'
)
SELECT b.buyer_id, b.product_id, b.order_id
FROM bought b
WHERE NOT EXISTS (
    SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id
    WHERE o.buyer_id = b.buyer_id AND i.product_id = b.product_id AND o.paid_at IS NOT NULL
      AND o.status IN ('paid', 'shipped', 'received', 'completed', 'refunding')
      AND (o.paid_at, o.id) > (b.paid_at, b.order_id))
  AND NOT EXISTS (
    SELECT 1 FROM outreach_messages m
    WHERE m.user_id = b.buyer_id AND m.journey = 'repurchase'
      AND m.period = 'product:' || b.product_id || ':last:' || b.order_id);
