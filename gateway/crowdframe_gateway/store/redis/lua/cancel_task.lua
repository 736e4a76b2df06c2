-- ARGV: ctx, task id, '1' to cancel only a task no worker has taken ('assigned' counts every
-- seat taken and not given back, so 0 means nobody accepted, submitted or was reviewed on it).
-- An open task leaves the pools for good, with a task.cancelled event; assignments already
-- accepted may still be submitted (submit.lua completes only an open task).
-- Returns {task as it is then (empty if none), '1' if cancelled now else '0'}.
local tid = ARGV[2]
local tkey = P .. 'task:' .. tid
local task = record(tkey)
if not task then return {{}, '0'} end
local cancelled = '0'
if task.status == 'open' and (ARGV[3] ~= '1' or (tonumber(task.assigned) or 0) == 0) then
  redis.call('HSET', tkey, 'status', 'cancelled')
  settle(tkey, tonumber(ctx.now))
  redis.call('HINCRBY', P .. 'counts', 'open', -1)
  if not is_normal(task) then redis.call('HINCRBY', P .. 'counts', 'goldopen', -1) end
  redis.call('HINCRBY', P .. 'counts', 'cancelled', 1)
  emit('task.cancelled', {kind = 'task.cancelled', task = flat(tkey)})
  if is_normal(task) then announce_if_finished(tkey) end
  cancelled = '1'
  announce()
end
return {redis.call('HGETALL', tkey), cancelled}
