-- One login attempt, counted before the password is checked (so concurrent guesses can't
-- overshoot a window): refused with the seconds to wait if a window is full, else counted in
-- each window. An address that logged in to the account before skips the account window.
-- KEYS: pair, address, account (failure windows), known (set of the account's own addresses)
-- ARGV: address, then per window: its limit and its seconds
local known = redis.call('SISMEMBER', KEYS[4], ARGV[1]) == 1
local wait = 0
for i = 1, 3 do
  if not (i == 3 and known) then
    local count = tonumber(redis.call('GET', KEYS[i]) or '0')
    if count >= tonumber(ARGV[i * 2]) then
      wait = math.max(wait, redis.call('TTL', KEYS[i]), 1)
    end
  end
end
if wait > 0 then
  return wait
end
for i = 1, 3 do
  if not (i == 3 and known) then
    if redis.call('INCR', KEYS[i]) == 1 then
      redis.call('EXPIRE', KEYS[i], tonumber(ARGV[i * 2 + 1]))
    end
  end
end
return 0
