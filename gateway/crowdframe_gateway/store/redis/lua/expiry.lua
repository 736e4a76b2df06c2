-- ARGV: task id, expires at, '1' to open it again if the sweep expired it (mturk/hits.py
-- decides). Moves a task's expiry (its pool entry with it); nil if no task.
local key = P .. 'task:' .. ARGV[1]
if redis.call('EXISTS', key) == 0 then return false end
if ARGV[3] == '1' and redis.call('HGET', key, 'status') == 'expired' then
  redis.call('HSET', key, 'status', 'open')
  redis.call('HINCRBY', P .. 'counts', 'expired', -1)
  redis.call('HINCRBY', P .. 'counts', 'open', 1)
  local gold = redis.call('HGET', key, 'gold')
  if gold and gold ~= '' then redis.call('HINCRBY', P .. 'counts', 'goldopen', 1) end
end
local longer = tonumber(ARGV[2]) > tonumber(redis.call('HGET', key, 'expires_at'))
redis.call('HSET', key, 'expires_at', ARGV[2])
redis.call('ZADD', P .. 'poolexp', 'XX', ARGV[2], ARGV[1])
redis.call('ZADD', P .. 'goldexp', 'XX', ARGV[2], ARGV[1])
for _, pool in ipairs({'pool', 'gold'}) do -- in its pool, longer: back for whom it ran out
  if longer and redis.call('ZSCORE', P .. pool, ARGV[1]) then came_back(pool, ARGV[1]) end
end
if redis.call('HGET', key, 'status') == 'open' then -- the sweep looks at it then (expire_tasks.lua)
  redis.call('ZADD', P .. 'lifetimes', ARGV[2], ARGV[1])
end
settle(key) -- a lapsed task comes back with its new lifetime (the next lapse judges it)
return redis.call('HGETALL', key)
