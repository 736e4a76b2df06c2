-- The pools (docs/architecture.md, "The pools"): a task is in its pool while it is open, within
-- its lifetime and, for real work, short of its seats ('belongs'). Real work is in 'pool', gold
-- tasks in 'gold' (by order, score seq); beside each, '<pool>exp' (by expiry) and '<pool>back'
-- (by order: the tasks that came back into the pool after leaving it). Kept with them by the
-- same scripts: 'pooled' (hash: pool -> how many tasks it holds) and 'pw:<worker>' (hash:
-- '<pool>:skip', how many of those the worker may not take; '<pool>:front', the frontier: every
-- task of the pool before it that the worker may take is in '<pool>back'). 'wtasks:<worker>'
-- holds every task a worker ever had here; 'excluded:<worker>' the tasks they may never take
-- (the crowd review of their own answer, review_task.lua). So a claim, a peek and a count cost
-- the same whatever the worker, the project or the platform did before.

local function pool_of(task) return (task.gold and task.gold ~= '') and 'gold' or 'pool' end

-- whether the task belongs in its pool; with no time given, its lifetime is not looked at (the
-- next lapse takes it out if it is over)
local function belongs(task, now)
  if task.status ~= 'open' then return false end
  if now and tonumber(task.expires_at) <= now then return false end
  return pool_of(task) == 'gold' or tonumber(task.assigned) < tonumber(task.per_task)
end

-- the workers a task's place in its pool concerns: who had it, and whom it is excluded for
local function concerned(task)
  local found = {}
  for _, sort in ipairs(redis.call('ZRANGE', P .. 'tasgs:' .. task.id, 0, -1)) do
    found[redis.call('HGET', P .. 'asg:' .. string.sub(sort, 18), 'worker_id')] = true
  end
  if task.excluded_worker then found[task.excluded_worker] = true end
  return found
end

-- bring the pool in line with the task as it is now: called after every change to a task's
-- status, seats or lifetime
local function settle(tkey, now)
  local task = record(tkey)
  local pool = pool_of(task)
  local inside = redis.call('ZSCORE', P .. pool, task.id) ~= false
  local wanted = belongs(task, now)
  if inside == wanted then return end
  local d = -1
  if wanted then
    d = 1
    redis.call('ZADD', P .. pool, task.seq, task.id)
    redis.call('ZADD', P .. pool .. 'exp', task.expires_at, task.id)
    redis.call('ZADD', P .. pool .. 'back', task.seq, task.id)
  else
    for _, suffix in ipairs({'', 'exp', 'back'}) do redis.call('ZREM', P .. pool .. suffix, task.id) end
  end
  redis.call('HINCRBY', P .. 'pooled', pool, d)
  for worker in pairs(concerned(task)) do
    redis.call('HINCRBY', P .. 'pw:' .. worker, pool .. ':skip', d)
  end
end

-- take tasks past their lifetime out of the pools (50 at most: a script stays short; claims
-- check the lifetime themselves)
local function lapse(now)
  for _, pool in ipairs({'pool', 'gold'}) do
    local over = redis.call('ZRANGEBYSCORE', P .. pool .. 'exp', '-inf', now, 'LIMIT', 0, 50)
    for _, tid in ipairs(over) do settle(P .. 'task:' .. tid, now) end
  end
end

-- Whether the worker may take a task of the pool: not expired, never had, not excluded.
local function open_to(pool, worker)
  local exp, seen = P .. pool .. 'exp', P .. 'wtasks:' .. worker
  local excluded = P .. 'excluded:' .. worker
  local any_excluded = redis.call('EXISTS', excluded) == 1
  return function(id, now)
    return tonumber(redis.call('ZSCORE', exp, id)) > now
      and redis.call('SISMEMBER', seen, id) == 0
      and not (any_excluded and redis.call('SISMEMBER', excluded, id) == 1)
  end
end

local function first_open(key, low, high, open, now)
  local start = 0
  while true do
    local ids = redis.call('ZRANGEBYSCORE', key, low, high, 'LIMIT', start, 100)
    if #ids == 0 then return nil end
    for _, id in ipairs(ids) do
      if open(id, now) then return id end
    end
    start = start + 100
  end
end

-- The first task of the pool the worker may take: a reopened one before the frontier, else the
-- first open one at or past it. Returns its id (nil for none) and whether it is past the
-- frontier (a claim of it moves the frontier on).
local function first_in(pool, worker, now)
  local open = open_to(pool, worker)
  local front = redis.call('HGET', P .. 'pw:' .. worker, pool .. ':front') or '0'
  local back = first_open(P .. pool .. 'back', '-inf', '(' .. front, open, now)
  if back then return back, false end
  return first_open(P .. pool, front, '+inf', open, now), true
end

-- How many tasks of a pool the worker may take.
local function count_open(pool, worker, now)
  lapse(now)
  local skipped = redis.call('HGET', P .. 'pw:' .. worker, pool .. ':skip') or '0'
  return tonumber(redis.call('HGET', P .. 'pooled', pool) or '0') - tonumber(skipped)
end
