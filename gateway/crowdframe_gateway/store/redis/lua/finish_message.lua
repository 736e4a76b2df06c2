-- ARGV: message id, status (delivered | pending | failed), next attempt at ('' keeps it), the
-- attempt (JSON). Logs the attempt, ends the lease and settles the message.
local key = P .. 'msg:' .. ARGV[1]
redis.call('RPUSH', P .. 'attempts:' .. ARGV[1], ARGV[4])
local m = record(key)
if not m then return false end
redis.call('HINCRBY', key, 'attempts', 1)
redis.call('HSET', key, 'leased_until', '')
if ARGV[3] ~= '' then
  redis.call('HSET', key, 'next_attempt_at', ARGV[3])
  m.next_attempt_at = ARGV[3]
end
set_message_status(m, ARGV[2], m.next_attempt_at)
return false
