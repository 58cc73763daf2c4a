-- Rebuild a coupon's claim state from PostgreSQL's counts, unless someone already did.
-- KEYS[1] the coupon hash
-- ARGV    left, ttl seconds, then field, value pairs (u:<user> and d:<day>:<user> counts)
if redis.call('HEXISTS', KEYS[1], 'left') == 1 then return 0 end
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
-- `left` last: until it exists every claim asks for a rebuild instead of reading half a state.
redis.call('HSET', KEYS[1], 'left', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
