"""Analytics: behaviour events (every one kept, in daily partitions written in batches), funnels
and the sales decomposition (visitors × conversion × order value), behind one interface so a
column store can be added for very large hosts."""
