-- The pools: normal tasks still short of assignments, by creation order ('pool', score seq)
-- with their expiry beside them ('poolexp'); open gold tasks the same way ('gold', 'goldexp'),
-- which every worker gets once, without a seat limit. 'wtasks:<worker>' holds every task a
-- worker ever had here; 'excluded:<worker>' the tasks they may never take (the crowd review of
-- their own answer, review_task.lua).

-- Whether the worker may take a task of the pool: not expired, never had, not excluded. The keys
-- are made once per walk, and the exclusion set is read only when the worker has one: a claim
-- can step over many tasks, inside single-threaded Redis.
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

local function first_in(pool, worker, now)
  local open = open_to(pool, worker)
  local start = 0
  while true do
    local ids = redis.call('ZRANGE', P .. pool, start, start + 99)
    if #ids == 0 then return nil end
    for _, id in ipairs(ids) do
      if open(id, now) then return id end
    end
    start = start + 100
  end
end

local function first_available(worker, now) return first_in('pool', worker, now) end

-- How many tasks of a pool the worker may take (an assessment's unseen questions).
local function count_unseen(pool, worker, now)
  local open = open_to(pool, worker)
  local count, start = 0, 0
  while true do
    local ids = redis.call('ZRANGE', P .. pool, start, start + 99)
    if #ids == 0 then return count end
    for _, id in ipairs(ids) do
      if open(id, now) then count = count + 1 end
    end
    start = start + 100
  end
end
