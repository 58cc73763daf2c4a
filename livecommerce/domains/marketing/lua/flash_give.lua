-- Give units back to a flash sale's gate (their order was cancelled, or never written).
-- Idempotent: a unit that is not held (given already, or a rebuild found it free) is skipped.
-- KEYS    as flash_take.lua
-- ARGV    unit number...
-- Returns the units left after, or -1 when the state is lost (a rebuild reads PostgreSQL).
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
for _, unit in ipairs(ARGV) do
  local user = redis.call('HGET', KEYS[3], unit)
  if user then
    redis.call('HDEL', KEYS[3], unit)
    redis.call('SADD', KEYS[2], unit)
    if redis.call('HINCRBY', KEYS[4], user, -1) <= 0 then redis.call('HDEL', KEYS[4], user) end
  end
end
return redis.call('SCARD', KEYS[2])
