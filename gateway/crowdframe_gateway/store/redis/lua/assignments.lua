-- Assignment transitions. Every assignment has a sort key ('sort': server time + id) that
-- orders the listings 'asgs' and 'asgs:<status>' (sorted sets of equal score, read BYLEX).
local function flat(key) return redis.call('HGETALL', key) end

local function is_normal(task) return task.gold == nil or task.gold == '' end

local function move(a, status)
  redis.call('ZREM', P .. 'asgs:' .. a.status, a.sort)
  redis.call('ZADD', P .. 'asgs:' .. status, 0, a.sort)
end

local function close_live(a)
  redis.call('ZREM', P .. 'live:' .. a.worker_id, a.id)
  redis.call('ZREM', P .. 'deadlines', a.id)
end

-- returned or expired: the seat goes back to the pool (a gold task never left its own); the
-- worker never gets this task again
local function release(a, status)
  local key = P .. 'asg:' .. a.id
  move(a, status)
  redis.call('HSET', key, 'status', status)
  close_live(a)
  local tkey = P .. 'task:' .. a.task_id
  redis.call('HINCRBY', tkey, 'assigned', -1)
  settle(tkey, tonumber(ctx.now))
  emit('assignment.' .. status, {kind = 'assignment', assignment = flat(key), task = flat(tkey)})
end

-- project.completed, emitted by the change that closed the project's last open task: it runs
-- only after such a change, so it is sent once each time a project runs out of open tasks.
-- Open gold tasks (every one is in 'gold') never close by answers and do not count.
local function announce_if_finished(tkey)
  local counts = record(P .. 'counts') or {}
  local open = (tonumber(counts.open) or 0) - (tonumber(counts.goldopen) or 0)
  if open > 0 then return end
  local n = {}
  for _, k in ipairs({'tasks', 'completed', 'cancelled', 'expired'}) do
    n[k] = tonumber(counts[k]) or 0
  end
  emit('project.completed',
    {kind = 'project.completed', project_id = ctx.part, counts = n, task = flat(tkey)})
end
