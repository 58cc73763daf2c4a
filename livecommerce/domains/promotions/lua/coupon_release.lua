-- Give back a copy the script took when PostgreSQL did not record it (an error, not a refusal).
-- KEYS[1] the coupon hash;  ARGV user id, day, counted per day (1/0)
if redis.call('HEXISTS', KEYS[1], 'left') == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'left', 1)
redis.call('HINCRBY', KEYS[1], 'u:' .. ARGV[1], -1)
if ARGV[3] == '1' then
  redis.call('HINCRBY', KEYS[1], 'd:' .. ARGV[2] .. ':' .. ARGV[1], -1)
end
return 1
