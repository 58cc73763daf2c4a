-- A logged-in viewer's socket left. KEYS[1] {room:ID}:in, KEYS[2] {room:ID}:giveaway
-- ("id:starts:ends" of the running giveaway), KEYS[3] {room:ID}:gwwatch ("id:user" -> seconds).
-- ARGV[1] user id, ARGV[2] now (epoch seconds), ARGV[3] ttl (ms).
-- When the viewer's last socket goes, the stretch's part inside the giveaway's window is added
-- to what they watched of it.
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local n, since = string.match(v, '^(%d+):(.+)$')
n = tonumber(n) - 1
if n > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], n .. ':' .. since)
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
local g = redis.call('GET', KEYS[2])
if not g then return 0 end
local id, starts, ends = string.match(g, '^(%d+):([^:]+):([^:]+)$')
local from = math.max(tonumber(since), tonumber(starts))
local to = math.min(tonumber(ARGV[2]), tonumber(ends))
if to > from then
  redis.call('HINCRBYFLOAT', KEYS[3], id .. ':' .. ARGV[1], to - from)
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
return 1
