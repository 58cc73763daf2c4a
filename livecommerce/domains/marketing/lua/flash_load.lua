-- Load a flash sale's gate from PostgreSQL's rows, unless it is there already (another request
-- loaded it first: its takes since then must not be overwritten).
-- KEYS    as flash_take.lua
-- ARGV    starts (epoch ms), ends (epoch ms), limit, ttl seconds, count of free units,
--         free unit..., then (unit, user) pairs of the held units
-- Returns 1 loaded, 0 present already.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
local nfree = tonumber(ARGV[5])
for i = 6, 5 + nfree, 5000 do
  redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + 4999, 5 + nfree)))
end
for i = 6 + nfree, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  redis.call('HINCRBY', KEYS[4], ARGV[i + 1], 1)
end
redis.call('HSET', KEYS[1], 'starts', ARGV[1], 'ends', ARGV[2], 'limit', ARGV[3])
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return 1
