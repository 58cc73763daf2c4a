-- How many units of a flash sale are free, or -1 when the state is lost.
-- KEYS    as flash_take.lua
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('SCARD', KEYS[2])
