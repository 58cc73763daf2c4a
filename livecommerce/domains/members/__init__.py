"""Members (per host): every buyer of a host is its member. Growth (the amount paid, taken back
per item on refund), tiers and their benefits, points, tags, segments, staff and the customer
360 that host staff see."""
