-- Take one copy of a coupon for a user, or say why not. Atomic: no two claims interleave.
-- KEYS[1] {room:R}:coupon:C  hash: left, u:<user> (claimed), d:<day>:<user> (claimed that day)
-- ARGV    user id, per-user limit, per-day limit (0: none), day (YYYY-MM-DD), ttl seconds
-- Returns 1 taken, 0 sold out, -1 state lost (rebuild from PostgreSQL), -2 user limit, -3 day limit.
local left = redis.call('HGET', KEYS[1], 'left')
if not left then return -1 end
if tonumber(left) <= 0 then return 0 end
local uf = 'u:' .. ARGV[1]
if tonumber(redis.call('HGET', KEYS[1], uf) or '0') >= tonumber(ARGV[2]) then return -2 end
local daily = tonumber(ARGV[3])
if daily > 0 then
  local df = 'd:' .. ARGV[4] .. ':' .. ARGV[1]
  if tonumber(redis.call('HGET', KEYS[1], df) or '0') >= daily then return -3 end
  redis.call('HINCRBY', KEYS[1], df, 1)
end
redis.call('HINCRBY', KEYS[1], uf, 1)
redis.call('HINCRBY', KEYS[1], 'left', -1)
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
