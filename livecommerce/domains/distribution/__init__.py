"""Distribution (分销): distributors and their tree, share links and buyer bindings, multi-level
commissions (snapshotted at placement, pending when paid, settled in batches, reversed on refund),
withdrawals, and the operator's settings."""
