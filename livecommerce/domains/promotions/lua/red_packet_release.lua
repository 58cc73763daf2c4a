-- Undo a grab PostgreSQL did not record: forget the user's part, and push the part back
-- when PostgreSQL says it is still free (ARGV[3] = 1).
-- KEYS    meta, parts, won;  ARGV user id, "<idx>:<fen>", push back (1/0)
if redis.call('HGET', KEYS[3], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[3], ARGV[1])
end
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('LPUSH', KEYS[2], ARGV[2])
end
return 1
