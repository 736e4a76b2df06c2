-- ARGV: ctx, limit. The sweep of lifetimes: 'lifetimes' holds every open task by when to look
-- at it (its expiry; later while workers hold it). Of the first 'limit' due, each open task at
-- or past its lifetime that no worker holds becomes 'expired' (work/rules.py task_expires and
-- holds, stated once for Redis here), leaves its pool, and writes task.expired; the one that
-- leaves the project with no open task writes project.completed (assignments.lua). A task that
-- closed otherwise since (completed, cancelled) is dropped from the index here.
-- Returns {expired, earliest remaining or '', how many it looked at}.
local now = tonumber(ctx.now)
local index = P .. 'lifetimes'

-- A project from before the index ('lifetimes:filled' is 'done' for those made since): its
-- open tasks join it, 500 a script, from the task order where the last script stopped.
local filled = redis.call('GET', P .. 'lifetimes:filled')
if filled ~= 'done' then
  local rows = redis.call('ZRANGEBYSCORE', P .. 'tasks', '(' .. (filled or '0'), '+inf',
    'WITHSCORES', 'LIMIT', 0, 500)
  for i = 1, #rows, 2 do
    local t = redis.call('HMGET', P .. 'task:' .. rows[i], 'status', 'expires_at')
    if t[1] == 'open' then redis.call('ZADD', index, 'NX', t[2], rows[i]) end
  end
  redis.call('SET', P .. 'lifetimes:filled', #rows < 1000 and 'done' or rows[#rows])
end

-- the last deadline of the assignments that hold the task (accepted, not past it), or nil
local function held_until(tid)
  local last = nil
  for _, sort in ipairs(redis.call('ZRANGE', P .. 'tasgs:' .. tid, 0, -1)) do
    local a = redis.call('HMGET', P .. 'asg:' .. string.sub(sort, 18), 'status', 'deadline')
    local deadline = tonumber(a[2])
    if a[1] == 'accepted' and deadline >= now and (not last or deadline > last) then
      last = deadline
    end
  end
  return last
end

local due = redis.call('ZRANGEBYSCORE', index, '-inf', ctx.now, 'LIMIT', 0, tonumber(ARGV[2]))
local expired = 0
for _, tid in ipairs(due) do
  local tkey = P .. 'task:' .. tid
  local task = record(tkey)
  if not task or task.status ~= 'open' then
    redis.call('ZREM', index, tid)
  elseif tonumber(task.expires_at) > now then -- given a longer lifetime since
    redis.call('ZADD', index, task.expires_at, tid)
  else
    local held = held_until(tid)
    if held then -- look again once its holders' time is up
      redis.call('ZADD', index, float(held), tid)
    else
      redis.call('HSET', tkey, 'status', 'expired')
      redis.call('ZREM', index, tid)
      settle(tkey, now)
      redis.call('HINCRBY', P .. 'counts', 'open', -1)
      if not is_normal(task) then redis.call('HINCRBY', P .. 'counts', 'goldopen', -1) end
      redis.call('HINCRBY', P .. 'counts', 'expired', 1)
      emit('task.expired', {kind = 'task.expired', task = flat(tkey)})
      if is_normal(task) then announce_if_finished(tkey) end
      expired = expired + 1
    end
  end
end
announce()
local nxt = redis.call('ZRANGE', index, 0, 0, 'WITHSCORES')
return {expired, nxt[2] or '', #due}
