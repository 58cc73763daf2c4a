-- A logged-in viewer's socket entered the room. KEYS[1] {room:ID}:in (user -> "sockets:since")
-- ARGV[1] user id, ARGV[2] now (epoch seconds), ARGV[3] ttl (ms).
-- A stretch starts with the viewer's first socket; a second tab does not restart it.
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  local n, since = string.match(v, '^(%d+):(.+)$')
  redis.call('HSET', KEYS[1], ARGV[1], (tonumber(n) + 1) .. ':' .. since)
else
  redis.call('HSET', KEYS[1], ARGV[1], '1:' .. ARGV[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
