-- The pools: normal tasks still short of assignments, by creation order ('pool', score seq)
-- with their expiry beside them ('poolexp'); open gold tasks the same way ('gold', 'goldexp'),
-- which every worker gets once, without a seat limit. 'wtasks:<worker>' holds every task a
-- worker ever had here.
local function first_in(pool, worker, now)
  local seen = P .. 'wtasks:' .. worker
  local start = 0
  while true do
    local ids = redis.call('ZRANGE', P .. pool, start, start + 99)
    if #ids == 0 then return nil end
    for _, id in ipairs(ids) do
      if tonumber(redis.call('ZSCORE', P .. pool .. 'exp', id)) > now
        and redis.call('SISMEMBER', seen, id) == 0 then
        return id
      end
    end
    start = start + 100
  end
end

local function first_available(worker, now) return first_in('pool', worker, now) end

-- How many tasks of a pool the worker never had and that have not expired (assessments).
local function count_unseen(pool, worker, now)
  local seen = P .. 'wtasks:' .. worker
  local count, start = 0, 0
  while true do
    local ids = redis.call('ZRANGE', P .. pool, start, start + 99)
    if #ids == 0 then return count end
    for _, id in ipairs(ids) do
      if tonumber(redis.call('ZSCORE', P .. pool .. 'exp', id)) > now
        and redis.call('SISMEMBER', seen, id) == 0 then
        count = count + 1
      end
    end
    start = start + 100
  end
end
