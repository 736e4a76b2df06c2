-- The pools (docs/architecture.md, "The pools"): a task is in its pool while it is open, within
-- its lifetime and, for real work, short of its seats ('belongs'). Real work is in 'pool', gold
-- tasks in 'gold' (by order, score seq); beside each, '<pool>exp' (by expiry) and '<pool>back'
-- (the tasks that came back into the pool after leaving it, or were given a longer lifetime
-- there, by *stamp*: the project's count of such returns when it came back, 'pooled' field
-- 'back'). Kept with them by the same scripts: 'pooled' (hash: pool -> how many tasks it
-- holds) and 'pw:<worker>' (hash: '<pool>:skip', how many of those the worker may not take;
-- '<pool>:front', the frontier: every task of the pool before it that the worker may take is
-- in '<pool>back'; '<pool>:back', the cursor: every task of '<pool>back' with a smaller stamp
-- is one they may not take). 'wtasks:<worker>' holds every task a worker ever had here;
-- 'excluded:<worker>' the tasks they may never take (the crowd review of their own answer,
-- review_task.lua). A look moves the frontier and the cursor past what it passed over, and
-- looks at WALK tasks at most (a longer walk goes on in the next script), so a claim, a peek
-- and a count cost the same whatever the worker, the project or the platform did before.

local WALK = 64
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

-- the task came back into its pool, or has a longer lifetime there: a new stamp, after every
-- worker's cursor
local function came_back(pool, id)
  redis.call('ZADD', P .. pool .. 'back', redis.call('HINCRBY', P .. 'pooled', 'back', 1), id)
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
    came_back(pool, task.id)
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

-- The first task of 'key' from score 'low' on that 'open' accepts, looking at 'budget' at
-- most: its id and score, else nil and the last score looked at; and the budget left.
local function walk(key, low, open, now, budget)
  local start, last = 0, nil
  while budget > 0 do
    local found = redis.call('ZRANGEBYSCORE', key, low, '+inf', 'WITHSCORES', 'LIMIT', start,
      math.min(100, budget))
    if #found == 0 then break end
    for i = 1, #found, 2 do
      if open(found[i], now) then return found[i], found[i + 1], budget end
      last, budget = found[i + 1], budget - 1
    end
    start = start + #found / 2
  end
  return nil, last, budget
end

-- The task of the pool the worker gets next: one that came back, the earliest stamp at or past
-- the cursor they may take, else the first open one at or past the frontier. Returns its id
-- (nil for none), whether it is past the frontier (a claim of it moves the frontier on), and
-- whether the look stopped short (nothing decided: look again). What it passed over, the
-- cursor and the frontier leave behind.
-- Move a worker's cursor or frontier on (never back), writing only when it moves.
local function move_on(mine, field, was, to)
  if to and tonumber(to) > tonumber(was or '0') then redis.call('HSET', mine, field, to) end
end

local function first_in(pool, worker, now)
  local open, mine = open_to(pool, worker), P .. 'pw:' .. worker
  local at = redis.call('HMGET', mine, pool .. ':back', pool .. ':front')
  local last = redis.call('HGET', P .. 'pooled', 'back') or '0'
  local id, score, budget = walk(P .. pool .. 'back', at[1] or '0', open, now, WALK)
  if id or budget == 0 then -- the cursor stays on what it found: passed over once taken
    move_on(mine, pool .. ':back', at[1], score)
    return id, false, not id
  end
  move_on(mine, pool .. ':back', at[1], last + 1)
  id, score, budget = walk(P .. pool, at[2] or '0', open, now, budget)
  move_on(mine, pool .. ':front', at[2], score)
  return id, id ~= nil, not id and budget == 0
end

-- How many tasks of a pool the worker may take.
local function count_open(pool, worker, now)
  lapse(now)
  local skipped = redis.call('HGET', P .. 'pw:' .. worker, pool .. ':skip') or '0'
  return tonumber(redis.call('HGET', P .. 'pooled', pool) or '0') - tonumber(skipped)
end
