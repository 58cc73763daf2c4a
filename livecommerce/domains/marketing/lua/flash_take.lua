-- Take `qty` units of a flash sale for a user, or say why not. Atomic: no two takes interleave.
-- KEYS[1] {room:R}:flash:S        hash: starts (epoch ms), ends (epoch ms), limit
-- KEYS[2] {room:R}:flash:S:free   set of the free unit numbers
-- KEYS[3] {room:R}:flash:S:held   hash: unit number -> user id (held by a pending/paid order)
-- KEYS[4] {room:R}:flash:S:users  hash: user id -> units held
-- ARGV    user id, qty, now (epoch ms)
-- Returns {1, left, unit...} taken; {0, 0} sold out; {-1} state lost (rebuild from PostgreSQL);
-- {-2, held} over the user's limit; {-3, left} fewer left than asked; {-4} not started; {-5} ended.
local meta = redis.call('HMGET', KEYS[1], 'starts', 'ends', 'limit')
if not meta[1] then return {-1} end
local now = tonumber(ARGV[3])
if now < tonumber(meta[1]) then return {-4} end
if now >= tonumber(meta[2]) then return {-5} end
local qty = tonumber(ARGV[2])
local held = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
if held + qty > tonumber(meta[3]) then return {-2, held} end
local left = redis.call('SCARD', KEYS[2])
if left == 0 then return {0, 0} end
if left < qty then return {-3, left} end
local units = redis.call('SPOP', KEYS[2], qty)
for _, unit in ipairs(units) do redis.call('HSET', KEYS[3], unit, ARGV[1]) end
redis.call('HINCRBY', KEYS[4], ARGV[1], qty)
-- The held and users hashes appear with the first take: they lapse with the sale's state.
local ttl = redis.call('TTL', KEYS[1])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[3], ttl)
  redis.call('EXPIRE', KEYS[4], ttl)
end
local out = {1, left - qty}
for _, unit in ipairs(units) do out[#out + 1] = tonumber(unit) end
return out
