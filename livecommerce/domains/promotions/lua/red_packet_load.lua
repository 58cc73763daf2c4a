-- Load a red packet's grab state (at creation, or rebuilt from PostgreSQL), unless it is there.
-- KEYS    meta, parts, won (as in red_packet_grab.lua)
-- ARGV    exp, presence, watch, ttl seconds, n free parts, the n free "<idx>:<fen>",
--         then user, "<idx>:<fen>" pairs of the parts already grabbed
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
local last_free = 5 + tonumber(ARGV[5])
local i = 6
while i <= last_free do
  local j = math.min(i + 999, last_free)  -- unpack() has a stack limit
  redis.call('RPUSH', KEYS[2], unpack(ARGV, i, j))
  i = j + 1
end
while i < #ARGV do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  i = i + 2
end
-- meta last: until it exists every grab asks for a rebuild instead of reading half a state.
redis.call('HSET', KEYS[1], 'exp', ARGV[1], 'presence', ARGV[2], 'watch', ARGV[3])
for k = 1, 3 do redis.call('EXPIRE', KEYS[k], ARGV[4]) end
return 1
