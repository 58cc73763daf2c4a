-- One grab: already grabbed? else eligible? else pop a part and record the user. Atomic.
-- KEYS[1] {room:R}:rp:P        hash: exp (epoch s), presence (1/0), watch (seconds)
-- KEYS[2] {room:R}:rp:P:parts  list of "<idx>:<fen>" still free
-- KEYS[3] {room:R}:rp:P:won    hash user -> "<idx>:<fen>"
-- KEYS[4] {room:R}:joined      hash user -> first join (epoch s), kept by the room's websocket
-- ARGV    user id, now (epoch s)
-- Returns {outcome[, part]}: won (+ parts left), again (this user's part), empty, expired, absent,
-- too_soon (+ seconds to wait), lost (rebuild from PostgreSQL).
local meta = redis.call('HMGET', KEYS[1], 'exp', 'presence', 'watch')
if not meta[1] then return {'lost'} end
local mine = redis.call('HGET', KEYS[3], ARGV[1])
if mine then return {'again', mine} end
local now = tonumber(ARGV[2])
if now >= tonumber(meta[1]) then return {'expired'} end
local watch = tonumber(meta[3])
if meta[2] == '1' or watch > 0 then
  local joined = redis.call('HGET', KEYS[4], ARGV[1])
  if not joined then return {'absent'} end
  if now - tonumber(joined) < watch then return {'too_soon', tostring(math.ceil(watch - (now - tonumber(joined))))} end
end
local part = redis.call('LPOP', KEYS[2])
if not part then return {'empty'} end
redis.call('HSET', KEYS[3], ARGV[1], part)
return {'won', part, redis.call('LLEN', KEYS[2])}
