-- ARGV: task id. Cancels an open task no worker has taken: 'assigned' counts every seat taken
-- and not given back, so 0 means nobody accepted, submitted or was reviewed on it. It leaves
-- the pools for good. Returns the task as it is then (cancelled or unchanged), nil if none.
local tid = ARGV[1]
local tkey = P .. 'task:' .. tid
local task = record(tkey)
if not task then return false end
if task.status == 'open' and (tonumber(task.assigned) or 0) == 0 then
  redis.call('HSET', tkey, 'status', 'cancelled')
  for _, pool in ipairs({'pool', 'poolexp', 'gold', 'goldexp'}) do
    redis.call('ZREM', P .. pool, tid)
  end
  redis.call('HINCRBY', P .. 'counts', 'open', -1)
end
return redis.call('HGETALL', tkey)
