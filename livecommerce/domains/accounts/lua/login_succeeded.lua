-- A login succeeded: its attempt is given back (never below zero, never leaving a key without
-- its expiry) and the address joins the account's own for KNOWN_ADDRESS_DAYS.
-- KEYS: pair, address, account, known   ARGV: address, known addresses' ttl in seconds
local was_known = redis.call('SISMEMBER', KEYS[4], ARGV[1]) == 1
redis.call('DEL', KEYS[1])
local counted = {KEYS[2]}
if not was_known then
  counted[2] = KEYS[3]
end
for _, key in ipairs(counted) do
  if tonumber(redis.call('GET', key) or '0') > 0 then
    redis.call('DECR', key)
  end
end
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[2]))
return 0
