-- ARGV: message id, status (delivered | pending | failed), next attempt at ('' keeps it),
-- the attempt (JSON). Logs the attempt and settles the message.
local key = P .. 'msg:' .. ARGV[1]
redis.call('RPUSH', P .. 'attempts:' .. ARGV[1], ARGV[4])
if redis.call('EXISTS', key) == 0 then return false end
redis.call('HINCRBY', key, 'attempts', 1)
redis.call('HSET', key, 'status', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', key, 'next_attempt_at', ARGV[3]) end
if ARGV[2] == 'pending' then
  redis.call('ZADD', P .. 'due', redis.call('HGET', key, 'next_attempt_at'), ARGV[1])
else
  redis.call('ZREM', P .. 'due', ARGV[1])
end
return false
